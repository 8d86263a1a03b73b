// `casegate prune` as a mail admin runs it (from cron, or by hand before a backup): the ages it
// takes, what it prints, and the refusals. What it removes is pinned in test/outbound/prune.test.ts.
import { describe, expect, it } from 'vitest';
import { useTestDb } from '../helpers/cli.js';

describe('casegate prune', () => {
  const t = useTestDb();

  it('prints what it removed, kind by kind, with the time before which rows went', async () => {
    const r = await t().run('prune', '--inbound-older-than', '0d', '--outbox-sent-older-than', '30d');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      expect.stringMatching(/^inbound log: removed 0 rows received before \d{4}-\d\d-\d\dT[\d:.]+Z$/),
      expect.stringMatching(/^outbox: removed 0 sent, failed or bounced notifications from before \d{4}-\d\d-\d\dT[\d:.]+Z, and 0 \.eml files$/),
      'attachment contents: removed 0 no row names (0 bytes)',
      '',
    ]);
  });

  it('refuses to run without an age, and an age that is not days or hours, changing nothing', async () => {
    await t().refused(['prune'], /^casegate: nothing to prune; give --inbound-older-than AGE, --outbox-sent-older-than AGE or both/);
    const bad = await t().run('prune', '--inbound-older-than', '3 months');
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/"3 months" is not an age; give days or hours, e.g. 90d or 36h/);
  });
});
