// SPEC §4 "Which case", the loop rule, closed cases and pipe-mode exit codes, as pure rules.
import { describe, expect, it } from 'vitest';
import { closedCaseAction, decideRoute, loopRefusal, LOOP_LIMIT } from '../../src/domain/route.js';
import { answer, exitCodeOf } from '../../src/domain/refusal.js';

describe('which case: case address, then our Message-ID, then subject tag, then a new case', () => {
  it('takes the case address whatever else the message says', () => {
    expect(decideRoute({ target: { kind: 'case', caseId: 7 }, threadCaseId: 3, taggedCaseId: 4 })).toEqual({ kind: 'existing', caseId: 7, via: 'address' });
  });
  it('on a routing address, prefers the thread over the subject tag', () => {
    expect(decideRoute({ target: { kind: 'routing', routingId: 1 }, threadCaseId: 3, taggedCaseId: 4 })).toEqual({ kind: 'existing', caseId: 3, via: 'thread' });
    expect(decideRoute({ target: { kind: 'routing', routingId: 1 }, threadCaseId: null, taggedCaseId: 4 })).toEqual({ kind: 'existing', caseId: 4, via: 'subject' });
  });
  it('opens a new case on a routing address when nothing names one', () => {
    expect(decideRoute({ target: { kind: 'routing', routingId: 2 }, threadCaseId: null, taggedCaseId: null })).toEqual({ kind: 'new', routingId: 2 });
  });
  it('routes nothing for a bounce address', () => {
    expect(decideRoute({ target: { kind: 'bounce', token: 'x'.repeat(24) }, threadCaseId: null, taggedCaseId: null })).toBeNull();
  });
});

describe('loop rule: more than 15 alike messages in 60 seconds', () => {
  it('lets the 15th through and refuses the 16th', () => {
    expect(loopRefusal(LOOP_LIMIT - 1)).toBeNull();
    expect(loopRefusal(LOOP_LIMIT)).toMatchObject({ code: 550, enhanced: '5.7.1' });
  });
});

describe('closed cases', () => {
  it('follow the configured policy, open ones are untouched', () => {
    expect(closedCaseAction('Working', 'refuse')).toBe('none');
    expect(closedCaseAction('Closed', 'reopen')).toBe('reopen');
    expect(closedCaseAction('Closed', 'refuse')).toBe('refuse');
    expect(closedCaseAction('Closed', 'child')).toBe('child');
  });
});

describe('pipe-mode exit codes (sysexits)', () => {
  it('map answers to 0, 65, 67, 77 and 75', () => {
    expect(exitCodeOf(answer(250, '2.6.0', 'ok'))).toBe(0);
    expect(exitCodeOf(answer(550, '5.6.0', 'malformed message'))).toBe(65);
    expect(exitCodeOf(answer(552, '5.3.4', 'too large'))).toBe(65);
    expect(exitCodeOf(answer(550, '5.1.1', 'no such mailbox'))).toBe(67);
    expect(exitCodeOf(answer(550, '5.7.1', 'relaying denied'))).toBe(67);
    expect(exitCodeOf(answer(550, '5.7.1', 'eve is not a participant'))).toBe(77);
    expect(exitCodeOf(answer(451, '4.3.0', 'try again'))).toBe(75);
  });
});
