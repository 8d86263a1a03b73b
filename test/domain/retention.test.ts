// Retention ages and which notifications are final (may be pruned).
import { describe, expect, it } from 'vitest';
import { dailyAges, FINAL_OUTBOX_STATUSES, parseAge } from '../../src/domain/retention.js';

describe('an age for prune', () => {
  it('is whole days or hours; 0d means everything', () => {
    expect(parseAge('90d')).toBe(90 * 86_400_000);
    expect(parseAge('36h')).toBe(36 * 3_600_000);
    expect(parseAge(' 0D ')).toBe(0);
  });

  it('is nothing else: no other unit, no fraction, no sign, not over 100 years', () => {
    for (const text of ['90', '3m', '1.5d', '-1d', 'd', '', '90 d', '36501d']) expect(parseAge(text), text).toBeNull();
  });
});

describe('final notifications', () => {
  it('are sent, failed and bounced: pending (queued, retrying, leased) and held ones may still be sent', () => {
    expect([...FINAL_OUTBOX_STATUSES].sort()).toEqual(['bounced', 'failed', 'sent']);
  });

  it("serve's daily ages come from the settings in days; unset is never", () => {
    expect(dailyAges(90, null)).toEqual({ inbound: 90 * 86_400_000, outbox: null });
    expect(dailyAges(null, 0)).toEqual({ inbound: null, outbox: 0 });
  });
});
