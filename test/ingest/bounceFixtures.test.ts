// Every fixture in fixtures/bounces/: parsed as mail arrives (parseMessage), then classified as the
// report stage does (classifyBounce over the subject, the text and the delivery-status blocks). The
// verdict must equal NAME.expected.json beside it: kind (permanent | delay | none), the failed
// address, and the status.
import { describe, expect, it } from 'vitest';
import { classifyBounce } from '../../src/domain/bounceRules.js';
import { fixtureSet } from '../helpers/fixtures.js';

const fixtures = fixtureSet('bounces');
const { names } = fixtures;

describe('fixtures/bounces: what each MTA sends, read as permanent, delay or no bounce', () => {
  it('holds at least 68 fixtures across the MTAs SPEC §4 names, each with its expected verdict', () => {
    expect(names.length).toBeGreaterThanOrEqual(68);
    expect(names.filter((n) => !fixtures.exists(n, '.expected.json'))).toEqual([]);
    const mtas = ['postfix', 'exim', 'sendmail', 'qmail', 'exchange', 'o365', 'gmail', 'yahoo', 'lotus-domino', 'groupwise', 'smtp32', 'simple-match',
      // the second pass (issue 24)
      'yahoo-old', 'aol', 'non-delivery-report', 'intended-recipient', 'failed-addresses-box', 'fr-', 'zh-', '-de', 'delay-failed-then'];
    expect(mtas.filter((m) => !names.some((n) => n.includes(m)))).toEqual([]);
    const kinds = names.map((n) => (JSON.parse(fixtures.read(n, '.expected.json')) as { kind: string }).kind);
    expect(new Set(kinds)).toEqual(new Set(['permanent', 'delay', 'none']));
  });

  for (const name of names) {
    it(name, async () => {
      const expected = JSON.parse(fixtures.read(name, '.expected.json')) as unknown;
      const msg = await fixtures.parse(name);
      const verdict = classifyBounce({ subject: msg.subject, text: msg.text, recipients: msg.dsn?.recipients ?? [] });
      expect({ kind: verdict.kind, recipient: verdict.recipient, status: verdict.status }, verdict.rule).toEqual(expected);
    });
  }
});
