// The outbox as a queue: leases, holds after a hard bounce, bounce recording, list and retry.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { CasegateError } from '../../src/errors.js';
import { createDispatcher } from '../../src/outbound/dispatcher.js';
import { recordBounce } from '../../src/ingest/report.js';
import { claimDue, retryRow as retry } from '../../src/outbound/queue.js';
import { markFailed, markRetry, markSent } from '../../src/db/outbox.js';
import type { Db } from '../../src/db/client.js';
import { outboxList as listOutbox } from '../../src/views/outbox.js';

/** `outbox retry ID`: requeues the row and returns it as `outbox list` shows it. */
async function retryRow(db: Db, id: number, now: number) {
  await inTx(db, retry, id, now);
  return (await inTx(db, listOutbox, 'cases.localhost', { id }))[0];
}
import { createSmtpTransport } from '../../src/outbound/transport.js';
import { startCaptureServer, type CaptureServer } from '../helpers/capture.js';
import { DOMAIN, countRows, outboxRow, seedCase, seedOutbox, tempStore, type TempStore } from '../helpers/seed.js';
import { inTx } from '../helpers/testDb.js';

let t: TempStore;
let smtp: CaptureServer | undefined;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
  await t.cleanup();
});

const LEASE = 60_000;

describe('claiming due rows under a lease', () => {
  it('claims only pending rows that are due and not leased, oldest due first', async () => {
    const c = await seedCase(t.db);
    const now = Date.now();
    const later = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'a@x.test', nextAttemptAt: now - 10 });
    const sooner = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'b@x.test', nextAttemptAt: now - 20 });
    await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'c@x.test', nextAttemptAt: now + 10 * LEASE });

    const first = await inTx(t.db, claimDue, 'one', now, 10, LEASE);
    expect(first.claimed.map((r) => r.id)).toEqual([sooner.id, later.id]);
    expect((await outboxRow(t.db, sooner.id)).lease_owner).toBe('one');
    // Leased rows are nobody else's until the lease runs out.
    expect((await inTx(t.db, claimDue, 'two', now + LEASE - 1, 10, LEASE)).claimed).toEqual([]);
    expect((await inTx(t.db, claimDue, 'two', now + LEASE, 10, LEASE)).claimed.map((r) => r.id)).toEqual([sooner.id, later.id]);
  });

  it('respects the limit', async () => {
    const c = await seedCase(t.db);
    for (const r of ['a', 'b', 'c']) await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: `${r}@x.test` });
    expect((await inTx(t.db, claimDue, 'one', Date.now(), 2, LEASE)).claimed).toHaveLength(2);
    expect((await inTx(t.db, claimDue, 'one', Date.now(), 2, LEASE)).claimed).toHaveLength(1);
  });

  it('a row claimed by a dispatcher that crashed is sent by another once the lease expires', async () => {
    smtp = await startCaptureServer();
    const c = await seedCase(t.db);
    const row = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'bob@customer.test' });
    // The "crashed" dispatcher claimed the row with a short lease and never marked it.
    expect((await inTx(t.db, claimDue, 'crashed', Date.now(), 10, 300)).claimed).toHaveLength(1);
    const config = loadConfig({ db: t.file }, { CASEGATE_DOMAIN: DOMAIN, CASEGATE_SMTP_URL: smtp.url });
    const other = createDispatcher({ db: t.db, config, transport: createSmtpTransport(smtp.url) });
    try {
      expect((await other.runOnce()).sent).toBe(0);
      await new Promise((r) => setTimeout(r, 350));
      expect((await other.runOnce()).sent).toBe(1);
    } finally {
      await other.stop();
    }
    expect(smtp.accepted()).toHaveLength(1);
    expect(await outboxRow(t.db, row.id)).toMatchObject({ status: 'sent', lease_owner: null });
  });
});

describe('recording outcomes', () => {
  it('each mark counts the attempt and clears the lease; a sent row is never changed again', async () => {
    const c = await seedCase(t.db);
    const row = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'a@x.test' });
    const now = Date.now();
    await inTx(t.db, claimDue, 'one', now, 10, LEASE);
    await inTx(t.db, markRetry, row.id, '451 4.3.0 later', now + 1000, 'one');
    expect(await outboxRow(t.db, row.id)).toMatchObject({ status: 'pending', attempts: 1, lease_owner: null, next_attempt_at: now + 1000 });
    await inTx(t.db, markSent, row.id, '250 ok', now + 2000);
    expect(await outboxRow(t.db, row.id)).toMatchObject({ status: 'sent', attempts: 2, response: '250 ok', sent_at: now + 2000, last_error: null });
    await inTx(t.db, markFailed, row.id, '550 late');
    await inTx(t.db, markRetry, row.id, '451 late', now);
    expect(await outboxRow(t.db, row.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('a dispatcher whose lease ran out and whose row was claimed again records nothing: the new owner does', async () => {
    const c = await seedCase(t.db);
    const row = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'a@x.test' });
    const now = Date.now();
    await inTx(t.db, claimDue, 'slow', now, 10, LEASE);
    expect((await inTx(t.db, claimDue, 'quick', now + LEASE, 10, LEASE)).claimed.map((r) => r.id)).toEqual([row.id]);
    expect(await inTx(t.db, markFailed, row.id, '550 from the slow one', 'slow')).toBe(false);
    expect(await inTx(t.db, markRetry, row.id, '451 from the slow one', now, 'slow')).toBe(false);
    expect(await outboxRow(t.db, row.id)).toMatchObject({ status: 'pending', attempts: 0, lease_owner: 'quick' });
    expect(await inTx(t.db, markSent, row.id, '250 quick', now + LEASE + 1, 'quick')).toBe(true);
    expect(await inTx(t.db, markSent, row.id, '250 slow', now + LEASE + 2, 'slow')).toBe(false);
    expect(await outboxRow(t.db, row.id)).toMatchObject({ status: 'sent', attempts: 1, response: '250 quick', lease_owner: null });
  });
});

describe('bounces', () => {
  it('a hard bounce found by VERP token marks the row and holds later rows to that address', async () => {
    const c = await seedCase(t.db);
    const sent = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'Gone@X.test' });
    await inTx(t.db, markSent, sent.id, '250 ok', Date.now());
    // Written before the bounce came back: still pending, held when it falls due.
    const next = await seedOutbox(t.db, { caseId: c.id, kind: 'comment', recipient: 'gone@x.test' });
    const other = await seedOutbox(t.db, { caseId: c.id, kind: 'comment', recipient: 'fine@x.test' });
    const id = await inTx(t.db, recordBounce, { token: sent.token.toUpperCase(), status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 user unknown' }, Date.now());
    expect(id?.id).toBe(sent.id);
    const stored = await outboxRow(t.db, sent.id);
    expect(stored.status).toBe('bounced');
    expect(stored.bounced_at).not.toBeNull();
    expect(stored.last_error).toBe('bounced: 5.1.1 smtp; 550 5.1.1 user unknown');

    const claim = await inTx(t.db, claimDue, 'one', Date.now(), 10, LEASE);
    expect(claim.claimed.map((r) => r.id)).toEqual([other.id]);
    expect(claim.held).toBe(1);
    expect((await outboxRow(t.db, next.id)).status).toBe('held');
    expect((await outboxRow(t.db, next.id)).last_error).toMatch(/gone@x\.test bounced earlier \(5\.1\.1 .*outbox retry/);

    // Written after the bounce: held at once, with the same note (one hold rule).
    const later = await seedOutbox(t.db, { caseId: c.id, kind: 'comment', recipient: 'GONE@x.test' });
    expect((await outboxRow(t.db, later.id)).status).toBe('held');
    expect((await outboxRow(t.db, later.id)).last_error).toMatch(/GONE@x\.test bounced earlier \(5\.1\.1 .*outbox retry/);
  });

  it('a soft bounce holds nothing; a token of no row matches nothing', async () => {
    const c = await seedCase(t.db);
    const sent = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'full@x.test' });
    expect((await inTx(t.db, recordBounce, { token: sent.token, status: '4.2.2', diagnostic: 'mailbox full' }, Date.now()))?.id).toBe(sent.id);
    expect((await outboxRow(t.db, sent.id)).last_error).toBe('soft bounce: 4.2.2 mailbox full');
    await seedOutbox(t.db, { caseId: c.id, kind: 'comment', recipient: 'full@x.test' });
    expect(await inTx(t.db, claimDue, 'one', Date.now(), 10, LEASE)).toMatchObject({ held: 0 });
    expect((await inTx(t.db, claimDue, 'one', Date.now(), 10, LEASE)).claimed).toHaveLength(0);

    expect(await inTx(t.db, recordBounce, { token: 'nosuchtoken0000000000000', status: '5.1.1', diagnostic: null }, Date.now())).toBeNull();
    expect(await countRows(t.db, 'bounces', 'hard = TRUE')).toBe(0);
  });
});

describe('outbox list and retry', () => {
  it('lists rows in the SPEC shape, filtered by status', async () => {
    const c = await seedCase(t.db);
    const a = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'a@x.test' });
    const b = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'b@x.test' });
    await inTx(t.db, markFailed, b.id, '550 no');
    const all = await inTx(t.db, listOutbox, 'cases.localhost');
    expect(all.map((r) => r.id)).toEqual([a.id, b.id]);
    expect(all[1]).toEqual({
      id: b.id,
      case: c.number,
      recipient: 'b@x.test',
      kind: 'case-created',
      status: 'failed',
      attempts: 1,
      lastError: '550 no',
      nextAttemptAt: null,
      sentAt: null,
      messageId: b.messageId,
      envelopeFrom: `bounce+${b.token}@cases.localhost`,
      replyTo: expect.stringMatching(/^case\+[a-z0-9]{24}@cases\.localhost$/),
    });
    // Each recipient has their own reply address.
    expect(all[0]!.replyTo).not.toBe(all[1]!.replyTo);
    expect(all[0]!.nextAttemptAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await inTx(t.db, listOutbox, 'cases.localhost', { status: 'failed' })).map((r) => r.id)).toEqual([b.id]);
    await expect(inTx(t.db, listOutbox, 'cases.localhost', { status: 'lost' })).rejects.toThrow(/unknown outbox status "lost"; use one of pending, sent, failed, held, bounced/);
    expect(await inTx(t.db, listOutbox, 'cases.localhost', { kind: 'owner' })).toEqual([]);
    expect(await inTx(t.db, listOutbox, 'cases.localhost', { kind: 'case-created' })).toHaveLength(2);
    await expect(inTx(t.db, listOutbox, 'cases.localhost', { kind: 'memo' })).rejects.toThrow(/unknown notification kind "memo"; use one of case-created, comment, history, owner/);
  });

  it('retry puts a failed row back to pending, due now, with a fresh schedule', async () => {
    const c = await seedCase(t.db);
    const row = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'a@x.test' });
    await inTx(t.db, markFailed, row.id, '550 no');
    const now = Date.now();
    expect(await retryRow(t.db, row.id, now)).toMatchObject({ id: row.id, status: 'pending', attempts: 0 });
    expect((await outboxRow(t.db, row.id)).next_attempt_at).toBe(now);
  });

  it('retry of a held row forgets the bounce of its address', async () => {
    const c = await seedCase(t.db);
    const bounced = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'gone@x.test' });
    await inTx(t.db, recordBounce, { token: bounced.token, status: '5.1.1', diagnostic: null }, Date.now());
    const held = await seedOutbox(t.db, { caseId: c.id, kind: 'comment', recipient: 'gone@x.test' });
    await inTx(t.db, markSent, bounced.id, '250', Date.now());
    await inTx(t.db, claimDue, 'one', Date.now(), 10, LEASE);
    expect((await outboxRow(t.db, held.id)).status).toBe('held');
    await retryRow(t.db, held.id, Date.now());
    expect((await inTx(t.db, claimDue, 'one', Date.now(), 10, LEASE)).claimed.map((r) => r.id)).toEqual([held.id]);
  });

  it('retry of a bounced row forgets the bounce, so the row goes out instead of being held again', async () => {
    const c = await seedCase(t.db);
    const row = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'back@x.test' });
    await inTx(t.db, markSent, row.id, '250', Date.now());
    await inTx(t.db, recordBounce, { token: row.token, status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 user unknown' }, Date.now());
    expect((await outboxRow(t.db, row.id)).status).toBe('bounced');
    expect(await retryRow(t.db, row.id, Date.now())).toMatchObject({ id: row.id, status: 'pending', attempts: 0 });
    expect(await inTx(t.db, claimDue, 'one', Date.now(), 10, LEASE)).toMatchObject({ claimed: [expect.objectContaining({ id: row.id })], held: 0 });
  });

  it('refuses unknown, sent and pending rows with a sentence saying what to do', async () => {
    const c = await seedCase(t.db);
    const pending = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'a@x.test' });
    const sent = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'b@x.test' });
    await inTx(t.db, markSent, sent.id, '250', Date.now());
    const error = async (id: number): Promise<CasegateError> => {
      try {
        await retryRow(t.db, id, Date.now());
      } catch (err) {
        return err as CasegateError;
      }
      throw new Error('no error');
    };
    expect(await error(999)).toMatchObject({ kind: 'not-found', message: expect.stringMatching(/row 999 does not exist; run "casegate outbox list"/) });
    expect(await error(sent.id)).toMatchObject({ kind: 'conflict', message: expect.stringMatching(/already sent on .*only failed, held or bounced rows/) });
    expect(await error(pending.id)).toMatchObject({ kind: 'conflict', message: expect.stringMatching(/already pending .*dispatch --once/) });
  });
});
