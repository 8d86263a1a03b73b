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
function retryRow(db: Db, id: number, now: number) {
  retry(db, id, now);
  return listOutbox(db, 'cases.localhost', { id })[0];
}
import { createSmtpTransport } from '../../src/outbound/transport.js';
import { startCaptureServer, type CaptureServer } from '../helpers/capture.js';
import { DOMAIN, outboxRow, seedCase, seedOutbox, tempStore, type TempStore } from '../helpers/seed.js';

let t: TempStore;
let smtp: CaptureServer | undefined;
beforeEach(() => {
  t = tempStore();
});
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
  t.cleanup();
});

const LEASE = 60_000;

describe('claiming due rows under a lease', () => {
  it('claims only pending rows that are due and not leased, oldest due first', () => {
    const c = seedCase(t.db);
    const now = Date.now();
    const later = seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'a@x.test', nextAttemptAt: now - 10 });
    const sooner = seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'b@x.test', nextAttemptAt: now - 20 });
    seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'c@x.test', nextAttemptAt: now + 10 * LEASE });

    const first = claimDue(t.db, 'one', now, 10, LEASE);
    expect(first.claimed.map((r) => r.id)).toEqual([sooner.id, later.id]);
    expect(outboxRow(t.db, sooner.id).lease_owner).toBe('one');
    // Leased rows are nobody else's until the lease runs out.
    expect(claimDue(t.db, 'two', now + LEASE - 1, 10, LEASE).claimed).toEqual([]);
    expect(claimDue(t.db, 'two', now + LEASE, 10, LEASE).claimed.map((r) => r.id)).toEqual([sooner.id, later.id]);
  });

  it('respects the limit', () => {
    const c = seedCase(t.db);
    for (const r of ['a', 'b', 'c']) seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: `${r}@x.test` });
    expect(claimDue(t.db, 'one', Date.now(), 2, LEASE).claimed).toHaveLength(2);
    expect(claimDue(t.db, 'one', Date.now(), 2, LEASE).claimed).toHaveLength(1);
  });

  it('a row claimed by a dispatcher that crashed is sent by another once the lease expires', async () => {
    smtp = await startCaptureServer();
    const c = seedCase(t.db);
    const row = seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'bob@customer.test' });
    // The "crashed" dispatcher claimed the row with a short lease and never marked it.
    expect(claimDue(t.db, 'crashed', Date.now(), 10, 300).claimed).toHaveLength(1);
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
    expect(outboxRow(t.db, row.id)).toMatchObject({ status: 'sent', lease_owner: null });
  });
});

describe('recording outcomes', () => {
  it('each mark counts the attempt and clears the lease; a sent row is never changed again', () => {
    const c = seedCase(t.db);
    const row = seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'a@x.test' });
    const now = Date.now();
    claimDue(t.db, 'one', now, 10, LEASE);
    markRetry(t.db, row.id, '451 4.3.0 later', now + 1000);
    expect(outboxRow(t.db, row.id)).toMatchObject({ status: 'pending', attempts: 1, lease_owner: null, next_attempt_at: now + 1000 });
    markSent(t.db, row.id, '250 ok', now + 2000);
    expect(outboxRow(t.db, row.id)).toMatchObject({ status: 'sent', attempts: 2, response: '250 ok', sent_at: now + 2000, last_error: null });
    markFailed(t.db, row.id, '550 late');
    markRetry(t.db, row.id, '451 late', now);
    expect(outboxRow(t.db, row.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });
});

describe('bounces', () => {
  it('a hard bounce found by VERP token marks the row and holds later rows to that address', () => {
    const c = seedCase(t.db);
    const sent = seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'Gone@X.test' });
    markSent(t.db, sent.id, '250 ok', Date.now());
    // Written before the bounce came back: still pending, held when it falls due.
    const next = seedOutbox(t.db, { caseId: c.id, kind: 'comment', recipient: 'gone@x.test' });
    const other = seedOutbox(t.db, { caseId: c.id, kind: 'comment', recipient: 'fine@x.test' });
    const id = recordBounce(t.db, { token: sent.token.toUpperCase(), status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 user unknown' }, Date.now());
    expect(id?.id).toBe(sent.id);
    const stored = outboxRow(t.db, sent.id);
    expect(stored.status).toBe('bounced');
    expect(stored.bounced_at).not.toBeNull();
    expect(stored.last_error).toBe('bounced: 5.1.1 smtp; 550 5.1.1 user unknown');

    const claim = claimDue(t.db, 'one', Date.now(), 10, LEASE);
    expect(claim.claimed.map((r) => r.id)).toEqual([other.id]);
    expect(claim.held).toBe(1);
    expect(outboxRow(t.db, next.id).status).toBe('held');
    expect(outboxRow(t.db, next.id).last_error).toMatch(/gone@x\.test bounced earlier \(5\.1\.1 .*outbox retry/);

    // Written after the bounce: held at once, with the same note (one hold rule).
    const later = seedOutbox(t.db, { caseId: c.id, kind: 'comment', recipient: 'GONE@x.test' });
    expect(outboxRow(t.db, later.id).status).toBe('held');
    expect(outboxRow(t.db, later.id).last_error).toMatch(/GONE@x\.test bounced earlier \(5\.1\.1 .*outbox retry/);
  });

  it('a soft bounce holds nothing; a token of no row matches nothing', () => {
    const c = seedCase(t.db);
    const sent = seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'full@x.test' });
    expect(recordBounce(t.db, { token: sent.token, status: '4.2.2', diagnostic: 'mailbox full' }, Date.now())?.id).toBe(sent.id);
    expect(outboxRow(t.db, sent.id).last_error).toBe('soft bounce: 4.2.2 mailbox full');
    seedOutbox(t.db, { caseId: c.id, kind: 'comment', recipient: 'full@x.test' });
    expect(claimDue(t.db, 'one', Date.now(), 10, LEASE)).toMatchObject({ held: 0 });
    expect(claimDue(t.db, 'one', Date.now(), 10, LEASE).claimed).toHaveLength(0);

    expect(recordBounce(t.db, { token: 'nosuchtoken0000000000000', status: '5.1.1', diagnostic: null }, Date.now())).toBeNull();
    expect(t.db.sqlite.prepare('SELECT COUNT(*) AS n FROM bounces WHERE hard = 1').get()).toEqual({ n: 0 });
  });
});

describe('outbox list and retry', () => {
  it('lists rows in the SPEC shape, filtered by status', () => {
    const c = seedCase(t.db);
    const a = seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'a@x.test' });
    const b = seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'b@x.test' });
    markFailed(t.db, b.id, '550 no');
    const all = listOutbox(t.db, 'cases.localhost');
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
    expect(listOutbox(t.db, 'cases.localhost', { status: 'failed' }).map((r) => r.id)).toEqual([b.id]);
    expect(() => listOutbox(t.db, 'cases.localhost', { status: 'lost' })).toThrow(/unknown outbox status "lost"; use one of pending, sent, failed, held, bounced/);
    expect(listOutbox(t.db, 'cases.localhost', { kind: 'owner' })).toEqual([]);
    expect(listOutbox(t.db, 'cases.localhost', { kind: 'case-created' })).toHaveLength(2);
    expect(() => listOutbox(t.db, 'cases.localhost', { kind: 'memo' })).toThrow(/unknown notification kind "memo"; use one of case-created, comment, history, owner/);
  });

  it('retry puts a failed row back to pending, due now, with a fresh schedule', () => {
    const c = seedCase(t.db);
    const row = seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'a@x.test' });
    markFailed(t.db, row.id, '550 no');
    const now = Date.now();
    expect(retryRow(t.db, row.id, now)).toMatchObject({ id: row.id, status: 'pending', attempts: 0 });
    expect(outboxRow(t.db, row.id).next_attempt_at).toBe(now);
  });

  it('retry of a held row forgets the bounce of its address', () => {
    const c = seedCase(t.db);
    const bounced = seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'gone@x.test' });
    recordBounce(t.db, { token: bounced.token, status: '5.1.1', diagnostic: null }, Date.now());
    const held = seedOutbox(t.db, { caseId: c.id, kind: 'comment', recipient: 'gone@x.test' });
    markSent(t.db, bounced.id, '250', Date.now());
    claimDue(t.db, 'one', Date.now(), 10, LEASE);
    expect(outboxRow(t.db, held.id).status).toBe('held');
    retryRow(t.db, held.id, Date.now());
    expect(claimDue(t.db, 'one', Date.now(), 10, LEASE).claimed.map((r) => r.id)).toEqual([held.id]);
  });

  it('retry of a bounced row forgets the bounce, so the row goes out instead of being held again', () => {
    const c = seedCase(t.db);
    const row = seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'back@x.test' });
    markSent(t.db, row.id, '250', Date.now());
    recordBounce(t.db, { token: row.token, status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 user unknown' }, Date.now());
    expect(outboxRow(t.db, row.id).status).toBe('bounced');
    expect(retryRow(t.db, row.id, Date.now())).toMatchObject({ id: row.id, status: 'pending', attempts: 0 });
    expect(claimDue(t.db, 'one', Date.now(), 10, LEASE)).toMatchObject({ claimed: [expect.objectContaining({ id: row.id })], held: 0 });
  });

  it('refuses unknown, sent and pending rows with a sentence saying what to do', () => {
    const c = seedCase(t.db);
    const pending = seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'a@x.test' });
    const sent = seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'b@x.test' });
    markSent(t.db, sent.id, '250', Date.now());
    const error = (id: number): CasegateError => {
      try {
        retryRow(t.db, id, Date.now());
      } catch (err) {
        return err as CasegateError;
      }
      throw new Error('no error');
    };
    expect(error(999)).toMatchObject({ kind: 'not-found', message: expect.stringMatching(/row 999 does not exist; run "casegate outbox list"/) });
    expect(error(sent.id)).toMatchObject({ kind: 'conflict', message: expect.stringMatching(/already sent on .*only failed, held or bounced rows/) });
    expect(error(pending.id)).toMatchObject({ kind: 'conflict', message: expect.stringMatching(/already pending .*dispatch --once/) });
  });
});
