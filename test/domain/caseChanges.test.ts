// The statuses and priorities an agent may give a case, and the closing time a change of status leaves.
import { describe, expect, it } from 'vitest';
import { checkPriority, checkStatus, closedAtAfter } from '../../src/domain/caseChanges.js';

const hardware = { name: 'Hardware', statuses: ['New', 'Working', 'Closed'] as const, priorities: ['High', 'Low'] as const };

describe('a status as typed', () => {
  it('is any case status in any letter case, Escalated included, without a record type', () => {
    expect(checkStatus(null, 'escalated')).toEqual({ status: 'Escalated' });
    expect(checkStatus(null, ' CLOSED ')).toEqual({ status: 'Closed' });
  });

  it("is refused with the valid ones when the record type does not allow it, or it is no status", () => {
    expect(checkStatus(hardware, 'Escalated')).toEqual({ problem: 'status "Escalated" is not one a case of record type "Hardware" can have; give one of New, Working, Closed' });
    expect(checkStatus(null, 'Pending')).toEqual({ problem: 'status "Pending" is not one a case can have; give one of New, Working, Escalated, Closed' });
  });
});

describe('a priority as typed', () => {
  it('is one of the record type, else refused with them', () => {
    expect(checkPriority(hardware, 'low')).toEqual({ priority: 'Low' });
    expect(checkPriority(hardware, 'Medium')).toEqual({ problem: 'priority "Medium" is not one a case of record type "Hardware" can have; give one of High, Low' });
    expect(checkPriority(null, 'Urgent')).toEqual({ problem: 'priority "Urgent" is not one a case can have; give one of High, Medium, Low' });
  });
});

describe('the closing time after a change of status', () => {
  it('is now on closing, kept while closed, cleared by any other status', () => {
    expect(closedAtAfter({ status: 'Working', closedAt: null }, 'Closed', 500)).toBe(500);
    expect(closedAtAfter({ status: 'Closed', closedAt: 100 }, 'Closed', 500)).toBe(100);
    expect(closedAtAfter({ status: 'Closed', closedAt: 100 }, 'Working', 500)).toBeNull();
    expect(closedAtAfter({ status: 'Closed', closedAt: 100 }, 'Escalated', 500)).toBeNull();
  });
});
