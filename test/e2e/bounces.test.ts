// Bounces over a real socket to the VERP address of a sent notification (SPEC §4 *Bounces*, §5):
// a permanent failure marks the row `bounced` and the address hard-bouncing; a delay marks nothing;
// anything else is logged as not a bounce. The log reason says which, and names nobody. A report
// counts only from the null sender to a bounce address. Fixtures: fixtures/bounces/.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { markSent } from '../../src/db/outbox.js';
import { outboxList } from '../../src/views/outbox.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { EVE, SUPPORT, addCollaborator, countRows } from '../helpers/seed.js';
import { inTx, query } from '../helpers/testDb.js';

const DIR = path.resolve(import.meta.dirname, '../../fixtures/bounces');
const FIXTURE_TOKEN = 'q7w8e9r0t1y2u3i4o5p6a7s8';
const CAROL = 'carol@gone.example';

let gw: Gateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

/**
 * A gateway with Carol as collaborator, her notification sent; the bounce of `name` aimed at it:
 * from the null sender to its VERP address unless `envelope` says otherwise.
 */
async function bounceOf(name: string, envelope: { from?: string; to?: (g: Gateway) => string; edit?: (raw: string) => string } = {}) {
  const g = await startGateway();
  gw = g;
  await addCollaborator(g.db, g.config, g.caseNumber, CAROL);
  const row = (await query(g.db, 'SELECT id, token, message_id AS "messageId" FROM outbox WHERE recipient = ?', [CAROL]))[0] as { id: number; token: string; messageId: string };
  await inTx(g.db, markSent, row.id, '250 2.0.0 Ok', Date.now());
  const raw = (envelope.edit ?? ((x: string) => x))(fs.readFileSync(path.join(DIR, `${name}.eml`), 'utf8').replaceAll(FIXTURE_TOKEN, row.token));
  const listed = (await inTx(g.db, outboxList, g.config.domain, { id: row.id }))[0];
  const r = await g.send(raw, { from: envelope.from ?? '', to: [envelope.to?.(g) ?? listed?.envelopeFrom ?? ''] });
  const reason = ((await query(g.db, 'SELECT reason FROM inbound ORDER BY id DESC LIMIT 1'))[0] as { reason: string }).reason;
  return { g, row, r, reason, after: (await inTx(g.db, outboxList, g.config.domain, { id: row.id }))[0] };
}

describe('a permanent failure', () => {
  it.each([
    'dsn-postfix-user-unknown',
    'qmail-no-mailbox',
    'dsn-status-4xx-with-action-failed',
    'exchange-delivery-has-failed',
    'yahoo-old-not-going-to-try-again',
    'sun-messaging-server-recipient-address',
    'exim-permanent-returned-copy-says-delayed',
    'zh-netease-gb2312-recipient-not-found',
    // The text names no address: the bounce address names the row, and the words are unambiguously permanent.
    'aol-not-accepting-mail-from',
    'zh-qq-gbk-no-address',
    'dsn-no-recipient-block-fr-no-address',
  ])(
    '%s marks the row bounced and the address hard-bouncing, and later mail to it is held',
    async (name) => {
      const { g, r, reason, after } = await bounceOf(name);
      expect(r.code).toBe(250);
      expect(reason).toMatch(/permanent failure ([0-9.]+|\(no status\)); the notification it reports on is marked bounced/);
      expect(after?.status).toBe('bounced');
      expect(await countRows(g.db, 'bounces', 'address_lower = ? AND hard = TRUE', CAROL)).toBe(1);
      expect(await countRows(g.db, 'comments', "source = 'email'")).toBe(0);
    },
  );

  it('outbox list shows the VERP address and the Message-ID of each row', async () => {
    const { row, after } = await bounceOf('dsn-postfix-user-unknown');
    expect(after).toMatchObject({ envelopeFrom: `bounce+${row.token}@cases.localhost`, messageId: row.messageId, status: 'bounced' });
  });
});

describe('a delay never marks anything', () => {
  it.each([
    'dsn-postfix-delayed',
    'gmail-delay-plain',
    'sendmail-warning-4-hours',
    // Failure words first, then delivery goes on: a delay.
    'delay-failed-then-attempts-will-continue',
    'delay-de-exchange-wird-weiterhin-versuchen',
    'zh-sina-gb2312-delay-will-retry',
    'dsn-action-delayed-block-without-recipient',
  ])('%s leaves the row sent and the address unmarked', async (name) => {
    const { g, reason, after } = await bounceOf(name);
    expect(reason).toMatch(/delay.*nothing marked/);
    expect(after?.status).toBe('sent');
    expect(after?.lastError).toBeNull();
    expect(await countRows(g.db, 'bounces')).toBe(0);
  });
});

describe('mail to a bounce address that is no bounce', () => {
  it.each(['out-of-office-to-verp', 'human-reply-to-verp', 'failure-words-without-address-or-cause-marks-nothing'])('%s is logged as not a bounce and changes nothing', async (name) => {
    const { g, r, reason, after } = await bounceOf(name);
    expect(r.code).toBe(250);
    expect(reason).toMatch(/not a bounce/);
    expect(after?.status).toBe('sent');
    expect(await countRows(g.db, 'bounces')).toBe(0);
    expect(await countRows(g.db, 'comments', "source = 'email'")).toBe(0);
  });
});

describe('a report counts only from the null sender to a bounce address, and its answer names nobody', () => {
  it('the answer to a permanent failure or a delay names no recipient and no case', async () => {
    for (const name of ['dsn-postfix-user-unknown', 'dsn-postfix-delayed']) {
      const { g, r, reason } = await bounceOf(name);
      expect(r.code).toBe(250);
      expect(reason).toBe(r.response);
      expect(r.response).not.toMatch(/@|gone\.example/);
      expect(r.response).not.toContain(g.caseNumber);
      await g.close();
      gw = undefined;
    }
  });

  it('from a person to the bounce address: not applied, answered as no bounce', async () => {
    const { g, r, reason, after } = await bounceOf('dsn-postfix-user-unknown', { from: EVE });
    expect(r.code).toBe(250);
    expect(reason).toMatch(/not a bounce \(not from the null sender\)/);
    expect(r.response).not.toContain(CAROL);
    expect(after?.status).toBe('sent');
    expect(await countRows(g.db, 'bounces')).toBe(0);
  });

  it.each([
    ['the routing address', () => SUPPORT],
    ['the case address', (g: Gateway) => g.caseAddress],
  ])('from the null sender to %s: never applied (automatic mail, dropped)', async (_, to) => {
    const { g, r, reason, after } = await bounceOf('dsn-postfix-user-unknown', { to });
    expect(r.code).toBe(250);
    expect(reason).toMatch(/automatic mail/);
    expect(r.response).not.toContain(CAROL);
    expect(after?.status).toBe('sent');
    expect(await countRows(g.db, 'bounces')).toBe(0);
  });

  it('from a person to the routing address, naming our message: no report; it is that person\'s mail, taken by the usual rules', async () => {
    const fromEve = (raw: string) => raw.replace(/^From: .*$/m, 'From: Eve <eve@evil.example>').replace(/^Return-Path: .*\r?\n/m, '');
    const { g, r, after } = await bounceOf('dsn-postfix-user-unknown', { from: EVE, to: () => SUPPORT, edit: fromEve });
    expect(r.code).toBe(250);
    expect(r.response).toMatch(/^250 2\.6\.0 opened case 00001002$/);
    expect(after?.status).toBe('sent');
    expect(await countRows(g.db, 'bounces')).toBe(0);
  });
});
