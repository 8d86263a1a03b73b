// The outbox table as a delivery queue: claim due rows under a lease, record each attempt's
// outcome, list rows, and send a failed or held row again. Prepared statements on the raw
// connection; every change is one short statement or one short transaction.
import type Database from 'better-sqlite3';
import type { Db } from '../db/client.js';
import { conflict, invalid, notFound } from '../errors.js';

export const OUTBOX_STATUSES = Object.freeze(['pending', 'sent', 'failed', 'held'] as const);
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** An outbox row as the dispatcher needs it. */
export interface OutboxRow {
  id: number;
  caseId: number;
  commentId: number | null;
  kind: string;
  recipient: string;
  recipientLower: string;
  token: string;
  messageId: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

/** An outbox row as `outbox list` shows it (SPEC §6). */
export interface OutboxListRow {
  id: number;
  case: string;
  recipient: string;
  kind: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
  messageId: string;
}

export interface ClaimResult {
  /** Rows now leased to the caller, to be sent and then marked. */
  claimed: OutboxRow[];
  /** How many due rows were held instead because their recipient hard-bounced. */
  held: number;
}

const ROW_COLUMNS = `o.id, o.case_id AS caseId, o.comment_id AS commentId, o.kind, o.recipient,
  o.recipient_lower AS recipientLower, o.token, o.message_id AS messageId, o.status, o.attempts,
  o.next_attempt_at AS nextAttemptAt, o.last_error AS lastError`;

function statements(sqlite: Database.Database) {
  return {
    due: sqlite.prepare<[number, number, number], OutboxRow & { bounceStatus: string | null; bounceDiagnostic: string | null }>(
      `SELECT ${ROW_COLUMNS}, b.status AS bounceStatus, b.diagnostic AS bounceDiagnostic
         FROM outbox o LEFT JOIN bounces b ON b.address_lower = o.recipient_lower AND b.hard = 1
        WHERE o.status = 'pending' AND o.next_attempt_at <= ? AND (o.lease_until IS NULL OR o.lease_until <= ?)
        ORDER BY o.next_attempt_at, o.id LIMIT ?`,
    ),
    lease: sqlite.prepare<[string, number, number]>(
      `UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id = ?`,
    ),
    hold: sqlite.prepare<[string, number]>(
      `UPDATE outbox SET status = 'held', last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`,
    ),
    sent: sqlite.prepare<[string, number, number]>(
      `UPDATE outbox SET status = 'sent', attempts = attempts + 1, response = ?, sent_at = ?, last_error = NULL,
         lease_owner = NULL, lease_until = NULL WHERE id = ? AND status = 'pending'`,
    ),
    retry: sqlite.prepare<[string, number, number]>(
      `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
         lease_owner = NULL, lease_until = NULL WHERE id = ? AND status = 'pending'`,
    ),
    failed: sqlite.prepare<[string, number]>(
      `UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?,
         lease_owner = NULL, lease_until = NULL WHERE id = ? AND status = 'pending'`,
    ),
    byId: sqlite.prepare<[number], OutboxRow & { sentAt: number | null }>(
      `SELECT ${ROW_COLUMNS}, o.sent_at AS sentAt FROM outbox o WHERE o.id = ?`,
    ),
    requeue: sqlite.prepare<[number, number]>(
      `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL
        WHERE id = ?`,
    ),
    release: sqlite.prepare<[number, string]>(
      `UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND status = 'pending'`,
    ),
    forgetBounce: sqlite.prepare<[string]>(`DELETE FROM bounces WHERE address_lower = ?`),
  };
}

type Statements = ReturnType<typeof statements>;
const cache = new WeakMap<Database.Database, Statements>();

function stmts(db: Db): Statements {
  let s = cache.get(db.sqlite);
  if (!s) {
    s = statements(db.sqlite);
    cache.set(db.sqlite, s);
  }
  return s;
}

/**
 * Leases up to `limit` due rows to `owner` until `now + leaseMs`, in one short transaction. A row
 * whose lease has run out (its dispatcher died) is due again. Due rows to an address with a hard
 * bounce are set `held` instead, with the bounce in `lastError`.
 */
export function claimDue(db: Db, owner: string, now: number, limit: number, leaseMs: number): ClaimResult {
  const s = stmts(db);
  const run = db.sqlite.transaction((): ClaimResult => {
    const claimed: OutboxRow[] = [];
    let held = 0;
    for (const { bounceStatus, bounceDiagnostic, ...row } of s.due.all(now, now, limit)) {
      if (bounceStatus !== null) {
        const why = [bounceStatus, bounceDiagnostic].filter(Boolean).join(' ');
        s.hold.run(`held: ${row.recipient} bounced earlier (${why}); run "casegate outbox retry ${row.id}" once the address works`, row.id);
        held += 1;
      } else {
        s.lease.run(owner, now + leaseMs, row.id);
        claimed.push(row);
      }
    }
    return { claimed, held };
  });
  return run.immediate();
}

/** Records a delivery the server accepted, with its answer. */
export function markSent(db: Db, id: number, response: string, now: number): void {
  stmts(db).sent.run(response, now, id);
}

/** Records a temporary failure; the row is due again at `nextAttemptAt`. */
export function markRetry(db: Db, id: number, error: string, nextAttemptAt: number): void {
  stmts(db).retry.run(error, nextAttemptAt, id);
}

/** Records a permanent failure (or an exhausted retry schedule). */
export function markFailed(db: Db, id: number, error: string): void {
  stmts(db).failed.run(error, id);
}

/** Gives back claimed rows that were not attempted (the dispatcher is stopping): due again at once. */
export function releaseClaims(db: Db, owner: string, ids: readonly number[]): void {
  const s = stmts(db);
  db.sqlite.transaction(() => {
    for (const id of ids) s.release.run(id, owner);
  })();
}

export function listOutbox(db: Db, filter: { status?: string } = {}): OutboxListRow[] {
  const status = filter.status?.trim().toLowerCase();
  if (status !== undefined && !OUTBOX_STATUSES.includes(status as OutboxStatus)) {
    throw invalid(`unknown outbox status "${filter.status}"; use one of ${OUTBOX_STATUSES.join(', ')}`);
  }
  return status ? selectListed(db, 'o.status = ?', status) : selectListed(db, '1 = 1');
}

type ListedRaw = Omit<OutboxListRow, 'nextAttemptAt' | 'sentAt'> & { nextAttemptAt: number; sentAt: number | null };

function selectListed(db: Db, where: string, ...params: unknown[]): OutboxListRow[] {
  const rows = db.sqlite
    .prepare<unknown[], ListedRaw>(
      `SELECT o.id, c.number AS "case", o.recipient, o.kind, o.status, o.attempts, o.last_error AS lastError,
              o.next_attempt_at AS nextAttemptAt, o.sent_at AS sentAt, o.message_id AS messageId
         FROM outbox o JOIN cases c ON c.id = o.case_id
        WHERE ${where} ORDER BY o.id`,
    )
    .all(...params);
  return rows.map((r) => ({
    ...r,
    // Only a pending row has a next attempt.
    nextAttemptAt: r.status === 'pending' ? new Date(r.nextAttemptAt).toISOString() : null,
    sentAt: r.sentAt === null ? null : new Date(r.sentAt).toISOString(),
  }));
}

/**
 * Sends a `failed` or `held` row again: back to `pending`, due now, with a fresh retry schedule.
 * For a held row the address's bounce record is forgotten, so that its other rows go out too
 * once they are retried.
 */
export function retryRow(db: Db, id: number, now: number): OutboxListRow {
  const s = stmts(db);
  db.sqlite
    .transaction(() => {
      const row = s.byId.get(id);
      if (!row) throw notFound(`outbox row ${id} does not exist; run "casegate outbox list" to see the rows`);
      if (row.status === 'sent') {
        const when = row.sentAt === null ? '' : ` on ${new Date(row.sentAt).toISOString()}`;
        throw conflict(`outbox row ${id} was already sent${when}; only failed or held rows can be retried`);
      }
      if (row.status === 'pending') {
        throw conflict(
          `outbox row ${id} is already pending (next attempt ${new Date(row.nextAttemptAt).toISOString()}); ` +
            'run "casegate dispatch --once" to send due rows now',
        );
      }
      if (row.status === 'held') s.forgetBounce.run(row.recipientLower);
      s.requeue.run(now, id);
    })
    .immediate();
  const [listed] = selectListed(db, 'o.id = ?', id);
  if (!listed) throw notFound(`outbox row ${id} does not exist; run "casegate outbox list" to see the rows`);
  return listed;
}
