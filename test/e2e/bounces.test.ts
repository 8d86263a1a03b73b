// Bounces over a real socket to the VERP address of a sent notification (SPEC §4 *Bounces*, §5):
// a permanent failure marks the row `bounced` and the address hard-bouncing; a delay marks nothing;
// anything else is logged as not a bounce. The log reason says which. Fixtures: fixtures/bounces/.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { markSent } from '../../src/db/outbox.js';
import { outboxList } from '../../src/views/outbox.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { addCollaborator, countRows } from '../helpers/seed.js';

const DIR = path.resolve(import.meta.dirname, '../../fixtures/bounces');
const FIXTURE_TOKEN = 'q7w8e9r0t1y2u3i4o5p6a7s8';
const CAROL = 'carol@gone.example';

let gw: Gateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

/** A gateway with Carol as collaborator, her notification sent; the bounce of `name` aimed at it. */
async function bounceOf(name: string) {
  const g = await startGateway();
  gw = g;
  addCollaborator(g.db, g.config, g.caseNumber, CAROL);
  const row = g.db.sqlite.prepare('SELECT id, token, message_id AS messageId FROM outbox WHERE recipient = ?').get(CAROL) as { id: number; token: string; messageId: string };
  markSent(g.db, row.id, '250 2.0.0 Ok', Date.now());
  const raw = fs.readFileSync(path.join(DIR, `${name}.eml`), 'utf8').replaceAll(FIXTURE_TOKEN, row.token);
  const listed = outboxList(g.db, g.config.domain, { id: row.id })[0];
  const r = await g.send(raw, { from: '', to: [listed?.envelopeFrom ?? ''] });
  const reason = (g.db.sqlite.prepare('SELECT reason FROM inbound ORDER BY id DESC LIMIT 1').get() as { reason: string }).reason;
  return { g, row, r, reason, after: outboxList(g.db, g.config.domain, { id: row.id })[0] };
}

describe('a permanent failure', () => {
  it.each(['dsn-postfix-user-unknown', 'qmail-no-mailbox', 'dsn-status-4xx-with-action-failed', 'exchange-delivery-has-failed'])(
    '%s marks the row bounced and the address hard-bouncing, and later mail to it is held',
    async (name) => {
      const { g, r, reason, after } = await bounceOf(name);
      expect(r.code).toBe(250);
      expect(reason).toMatch(new RegExp(`permanent failure [0-9.]+ for ${CAROL}`));
      expect(after?.status).toBe('bounced');
      expect(countRows(g.db, 'bounces', 'address_lower = ? AND hard = 1', CAROL)).toBe(1);
      expect(countRows(g.db, 'comments', "source = 'email'")).toBe(0);
    },
  );

  it('outbox list shows the VERP address and the Message-ID of each row', async () => {
    const { row, after } = await bounceOf('dsn-postfix-user-unknown');
    expect(after).toMatchObject({ envelopeFrom: `bounce+${row.token}@cases.localhost`, messageId: row.messageId, status: 'bounced' });
  });
});

describe('a delay never marks anything', () => {
  it.each(['dsn-postfix-delayed', 'gmail-delay-plain', 'sendmail-warning-4-hours'])('%s leaves the row sent and the address unmarked', async (name) => {
    const { g, reason, after } = await bounceOf(name);
    expect(reason).toMatch(/delay.*nothing marked/);
    expect(after?.status).toBe('sent');
    expect(after?.lastError).toBeNull();
    expect(countRows(g.db, 'bounces')).toBe(0);
  });
});

describe('mail to a bounce address that is no bounce', () => {
  it.each(['out-of-office-to-verp', 'human-reply-to-verp'])('%s is logged as not a bounce and changes nothing', async (name) => {
    const { g, r, reason, after } = await bounceOf(name);
    expect(r.code).toBe(250);
    expect(reason).toMatch(/not a bounce/);
    expect(after?.status).toBe('sent');
    expect(countRows(g.db, 'bounces')).toBe(0);
    expect(countRows(g.db, 'comments', "source = 'email'")).toBe(0);
  });
});
