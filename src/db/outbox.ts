// The `outbox` table: one notification to one person, and the delivery queue over it (claim due
// rows under a lease, record each attempt's outcome, requeue).
import { chunks, IN_LIST, type Tx } from './engine.js';
import type { NotificationKind, OutboxStatus } from '../domain/outbox.js';

/** An outbox row as the dispatcher needs it. */
export interface OutboxRow {
  id: number;
  /** Null for mail about no case (a Help portal sign-in link). */
  caseId: number | null;
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
  sentAt: number | null;
  /** The reply address the message offers; null for rows written before reply addresses. */
  replyAddressId: number | null;
}

export interface NewOutboxRow {
  caseId: number | null;
  commentId: number | null;
  kind: NotificationKind;
  recipient: string;
  recipientLower: string;
  token: string;
  messageId: string;
  status: 'pending' | 'held';
  lastError: string | null;
  replyAddressId: number | null;
}

const COLUMNS = `o.id, o.case_id AS "caseId", o.comment_id AS "commentId", o.kind, o.recipient,
  o.recipient_lower AS "recipientLower", o.token, o.message_id AS "messageId", o.status, o.attempts,
  o.next_attempt_at AS "nextAttemptAt", o.last_error AS "lastError", o.sent_at AS "sentAt",
  o.reply_address_id AS "replyAddressId"`;

/** The channel on which PostgreSQL tells dispatchers that outbox rows were committed. */
export const OUTBOX_CHANNEL = 'casegate_outbox';

/**
 * Wakes the dispatchers of every node once this transaction commits (PostgreSQL `NOTIFY`, which it
 * delivers only on commit and folds into one per transaction). Nothing on SQLite: the process that
 * wrote the rows nudges its own dispatcher, and another process's dispatcher polls.
 */
export async function wakeDispatchers(tx: Tx): Promise<void> {
  if (tx.dialect === 'postgres') await tx.run(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
}

const INSERT = `INSERT INTO outbox (case_id, comment_id, kind, recipient, recipient_lower, token, message_id, status,
   attempts, next_attempt_at, last_error, created_at, reply_address_id) VALUES`;
const VALUES = '(?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)';
/** Appends the row's values to `values` (a loop of pushes: `flatMap` of the rows was 1.6 % of serve's main thread). */
const pushValues = (values: unknown[], r: NewOutboxRow, now: number): unknown[] => {
  values.push(r.caseId, r.commentId, r.kind, r.recipient, r.recipientLower, r.token, r.messageId, r.status, now, r.lastError, now, r.replyAddressId);
  return values;
};
/** Rows in one INSERT: as many as IN_LIST values take (12 a row). */
const ROWS_PER_INSERT = Math.floor(IN_LIST / 12);

export async function insertOutbox(tx: Tx, r: NewOutboxRow, now: number): Promise<number> {
  return tx.insert(`${INSERT} ${VALUES}`, pushValues([], r, now));
}

/**
 * Inserts rows (their tokens differ) and gives their ids in the same order, ROWS_PER_INSERT in one
 * statement (SQLite measured 10-18 % less CPU per row than row by row; on PostgreSQL each round
 * trip costs more than the row). PostgreSQL says the ids (`RETURNING`); SQLite gives the last one,
 * and the rows of one INSERT have the ids before it in order: `id` is AUTOINCREMENT (each new id is
 * one more than the largest ever given) and the statement is the only writer while it runs. A
 * RETURNING would cost SQLite a statement journal inside a savepoint.
 */
export async function insertOutboxRows(tx: Tx, rows: readonly NewOutboxRow[], now: number): Promise<number[]> {
  const ids: number[] = [];
  for (const some of chunks(rows, ROWS_PER_INSERT)) {
    const sql = `${INSERT} ${some.map(() => VALUES).join(', ')}`;
    const values: unknown[] = [];
    for (const r of some) pushValues(values, r, now);
    if (tx.dialect !== 'postgres') {
      const last = await tx.insert(sql, values);
      for (let i = some.length - 1; i >= 0; i -= 1) ids.push(last - i);
      continue;
    }
    const written = await tx.all<{ id: number; token: string }>(`${sql} RETURNING id, token`, values);
    const byToken = new Map(written.map((w) => [w.token, w.id]));
    for (const r of some) {
      const id = byToken.get(r.token);
      if (id === undefined) throw new Error(`the outbox row with token ${r.token} was not written`);
      ids.push(id);
    }
  }
  return ids;
}

export type DueRow = OutboxRow & { bounceStatus: string | null; bounceDiagnostic: string | null };

/**
 * Pending rows due at `now` and not leased, oldest due first, with their recipient's hard bounce.
 * PostgreSQL locks the rows it returns and skips rows another dispatcher has locked (`FOR UPDATE
 * SKIP LOCKED`), so dispatchers claiming at the same time get different rows; the caller leases
 * them in the same transaction. SQLite needs no lock: its write transaction is the only writer.
 */
export function dueRows(tx: Tx, now: number, limit: number): Promise<DueRow[]> {
  const lock = tx.dialect === 'postgres' ? ' FOR UPDATE OF o SKIP LOCKED' : '';
  return tx.all<DueRow>(
    `SELECT ${COLUMNS}, b.status AS "bounceStatus", b.diagnostic AS "bounceDiagnostic"
       FROM outbox o LEFT JOIN bounces b ON b.address_lower = o.recipient_lower AND b.hard = TRUE
      WHERE o.status = 'pending' AND o.next_attempt_at <= ? AND (o.lease_until IS NULL OR o.lease_until <= ?)
      ORDER BY o.next_attempt_at, o.id LIMIT ?${lock}`,
    [now, now, limit],
  );
}

/** Leases rows to `owner` until `until` (rows the caller read with dueRows in this transaction). */
export async function leaseRows(tx: Tx, ids: readonly number[], owner: string, until: number): Promise<void> {
  if (ids.length === 0) return;
  if (tx.dialect === 'postgres') {
    await tx.run('UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id = ANY(?::integer[])', [owner, until, ids]);
    return;
  }
  for (const id of ids) await tx.run('UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id = ?', [owner, until, id]);
}

export async function holdRow(tx: Tx, id: number, note: string): Promise<void> {
  await tx.run(`UPDATE outbox SET status = 'held', last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`, [note, id]);
}

// The outcome of an attempt is recorded only while the row is still pending and leased to the
// dispatcher that made it (`owner`; null for a row nobody claimed). A dispatcher whose lease ran out
// and whose row another dispatcher claimed meanwhile changes nothing: the new owner's outcome stands.
// Each mark says whether it was recorded.
const OWNED = `status = 'pending' AND lease_owner IS NOT DISTINCT FROM ?`;

export async function markSent(tx: Tx, id: number, response: string, now: number, owner: string | null = null): Promise<boolean> {
  const { changes } = await tx.run(
    `UPDATE outbox SET status = 'sent', attempts = attempts + 1, response = ?, sent_at = ?, last_error = NULL,
       lease_owner = NULL, lease_until = NULL WHERE id = ? AND ${OWNED}`,
    [response, now, id, owner],
  );
  return changes > 0;
}

export async function markRetry(tx: Tx, id: number, error: string, nextAttemptAt: number, owner: string | null = null): Promise<boolean> {
  const { changes } = await tx.run(
    `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
       lease_owner = NULL, lease_until = NULL WHERE id = ? AND ${OWNED}`,
    [error, nextAttemptAt, id, owner],
  );
  return changes > 0;
}

export async function markFailed(tx: Tx, id: number, error: string, owner: string | null = null): Promise<boolean> {
  const { changes } = await tx.run(
    `UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?,
       lease_owner = NULL, lease_until = NULL WHERE id = ? AND ${OWNED}`,
    [error, id, owner],
  );
  return changes > 0;
}

/** Gives a claimed row back (not attempted): due again at once. */
export async function releaseRow(tx: Tx, id: number, owner: string): Promise<void> {
  await tx.run(`UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND status = 'pending'`, [id, owner]);
}

/** Back to `pending`, due at `now`, attempts from 0. */
export async function requeueRow(tx: Tx, id: number, now: number): Promise<void> {
  await tx.run(`UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`, [now, id]);
}

export function outboxById(tx: Tx, id: number): Promise<OutboxRow | undefined> {
  return tx.get<OutboxRow>(`SELECT ${COLUMNS} FROM outbox o WHERE o.id = ?`, [id]);
}

/** RCPT hot path: is this one of our bounce (VERP) tokens? */
export async function outboxIdByToken(tx: Tx, token: string): Promise<number | undefined> {
  return (await tx.get<{ id: number }>('SELECT id FROM outbox WHERE token = ?', [token]))?.id;
}

/** The row a bounce (or a reply through its Message-ID) names by its token. */
export function outboxByToken(tx: Tx, token: string): Promise<OutboxRow | undefined> {
  return tx.get<OutboxRow>(`SELECT ${COLUMNS} FROM outbox o WHERE o.token = ?`, [token]);
}

/** Records a bounce report on a row; a permanent one turns a `sent` row `bounced` (SPEC §5). */
export async function markBounced(tx: Tx, id: number, lastError: string, now: number, permanent: boolean): Promise<void> {
  await tx.run(
    `UPDATE outbox SET bounced_at = ?, last_error = ?, status = CASE WHEN ? = 1 AND status = 'sent' THEN 'bounced' ELSE status END WHERE id = ?`,
    [now, lastError, permanent ? 1 : 0, id],
  );
}

/** How many rows have `status` (e.g. how many are held now). */
export async function countOutboxByStatus(tx: Tx, status: OutboxStatus): Promise<number> {
  return (await tx.get<{ n: number }>('SELECT count(*) AS n FROM outbox WHERE status = ?', [status]))?.n ?? 0;
}

/** With the token of the reply address the row offers: its own, else (older rows) the case's. */
export type OutboxListed = OutboxRow & { caseNumber: string | null; replyToken: string | null; createdAt: number; bouncedAt: number | null; response: string | null };

/** What `outbox list` and `casegate trace` look for; every given filter must hold. */
export interface OutboxFilter {
  id?: number;
  status?: OutboxStatus;
  kind?: string;
  caseId?: number;
  /** The rows carrying this comment. */
  commentId?: number;
  recipientLower?: string;
  /** The token of its Message-ID and VERP address. */
  token?: string;
  /** Written at or after (ms). */
  since?: number;
}

/** Rows with their case number, oldest first. */
export function listOutboxRows(tx: Tx, filter: OutboxFilter = {}): Promise<OutboxListed[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown): void => {
    where.push(clause);
    params.push(value);
  };
  if (filter.id !== undefined) add('o.id = ?', filter.id);
  if (filter.status !== undefined) add('o.status = ?', filter.status);
  if (filter.kind !== undefined) add('o.kind = ?', filter.kind);
  if (filter.caseId !== undefined) add('o.case_id = ?', filter.caseId);
  if (filter.commentId !== undefined) add('o.comment_id = ?', filter.commentId);
  if (filter.recipientLower !== undefined) add('o.recipient_lower = ?', filter.recipientLower);
  if (filter.token !== undefined) add('o.token = ?', filter.token);
  if (filter.since !== undefined) add('o.created_at >= ?', filter.since);
  const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
  return tx.all<OutboxListed>(
    `SELECT ${COLUMNS}, c.number AS "caseNumber", coalesce(r.token, c.address_token) AS "replyToken",
       o.created_at AS "createdAt", o.bounced_at AS "bouncedAt", o.response
     FROM outbox o LEFT JOIN cases c ON c.id = o.case_id LEFT JOIN reply_addresses r ON r.id = o.reply_address_id
     ${clause} ORDER BY o.id`,
    params,
  );
}

/** Auto-responses to `recipientLower` written since `since` (at most one per sender per hour, SPEC §7). */
export async function countAutoResponsesSince(tx: Tx, recipientLower: string, since: number): Promise<number> {
  return (
    (await tx.get<{ n: number }>("SELECT count(*) AS n FROM outbox WHERE kind = 'auto-response' AND recipient_lower = ? AND created_at > ?", [recipientLower, since]))
      ?.n ?? 0
  );
}

/** What the metrics read on each scrape: rows per status, and the oldest due time of the pending rows (null when none). */
export async function outboxGauges(tx: Tx): Promise<{ byStatus: { status: string; count: number }[]; oldestDue: number | null }> {
  const byStatus = await tx.all<{ status: string; count: number | string }>('SELECT status, COUNT(*) AS count FROM outbox GROUP BY status');
  const oldest = await tx.get<{ due: number | string | null }>(`SELECT MIN(next_attempt_at) AS due FROM outbox WHERE status = 'pending'`);
  return {
    byStatus: byStatus.map((r) => ({ status: r.status, count: Number(r.count) })),
    oldestDue: oldest?.due == null ? null : Number(oldest.due),
  };
}

/**
 * Retention: removes up to `limit` outbox rows in one of `statuses` (the final ones) sent (or, never
 * sent, written) before `before`, with an id above `afterId` (the previous batch's cursor). Gives
 * the Message-ID of each row removed (its .eml file is named by it). A row whose status changed
 * meanwhile (`outbox retry`) is not removed.
 */
export async function pruneOutboxBatch(
  tx: Tx,
  statuses: readonly string[],
  before: number,
  afterId: number,
  limit: number,
): Promise<{ removed: string[]; lastId: number | null }> {
  const marks = statuses.map(() => '?').join(', ');
  const rows = await tx.all<{ id: number; messageId: string }>(
    `SELECT id, message_id AS "messageId" FROM outbox WHERE id > ? AND status IN (${marks}) AND coalesce(sent_at, created_at) < ? ORDER BY id LIMIT ?`,
    [afterId, ...statuses, before, limit],
  );
  if (rows.length === 0) return { removed: [], lastId: null };
  const ids = rows.map((r) => r.id);
  const removed = await tx.all<{ messageId: string }>(
    `DELETE FROM outbox WHERE id IN (${ids.map(() => '?').join(', ')}) AND status IN (${marks}) RETURNING message_id AS "messageId"`,
    [...ids, ...statuses],
  );
  return { removed: removed.map((r) => r.messageId), lastId: ids[ids.length - 1] as number };
}
