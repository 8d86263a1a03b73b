// The `outbox` table: one notification to one person, and the delivery queue over it (claim due
// rows under a lease, record each attempt's outcome, requeue).
import { statement, type Db } from './client.js';
import type { NotificationKind, OutboxStatus } from '../domain/outbox.js';

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
  sentAt: number | null;
  /** The reply address the message offers; null for rows written before reply addresses. */
  replyAddressId: number | null;
}

export interface NewOutboxRow {
  caseId: number;
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

const COLUMNS = `o.id, o.case_id AS caseId, o.comment_id AS commentId, o.kind, o.recipient,
  o.recipient_lower AS recipientLower, o.token, o.message_id AS messageId, o.status, o.attempts,
  o.next_attempt_at AS nextAttemptAt, o.last_error AS lastError, o.sent_at AS sentAt,
  o.reply_address_id AS replyAddressId`;

export function insertOutbox(db: Db, r: NewOutboxRow, now: number): number {
  const info = statement<unknown[]>(
    db,
    `INSERT INTO outbox (case_id, comment_id, kind, recipient, recipient_lower, token, message_id, status,
       attempts, next_attempt_at, last_error, created_at, reply_address_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
  ).run(r.caseId, r.commentId, r.kind, r.recipient, r.recipientLower, r.token, r.messageId, r.status, now, r.lastError, now, r.replyAddressId);
  return Number(info.lastInsertRowid);
}

export type DueRow = OutboxRow & { bounceStatus: string | null; bounceDiagnostic: string | null };

/** Pending rows due at `now` and not leased, oldest due first, with their recipient's hard bounce. */
export function dueRows(db: Db, now: number, limit: number): DueRow[] {
  return statement<[number, number, number], DueRow>(
    db,
    `SELECT ${COLUMNS}, b.status AS bounceStatus, b.diagnostic AS bounceDiagnostic
       FROM outbox o LEFT JOIN bounces b ON b.address_lower = o.recipient_lower AND b.hard = 1
      WHERE o.status = 'pending' AND o.next_attempt_at <= ? AND (o.lease_until IS NULL OR o.lease_until <= ?)
      ORDER BY o.next_attempt_at, o.id LIMIT ?`,
  ).all(now, now, limit);
}

export function leaseRow(db: Db, id: number, owner: string, until: number): void {
  statement<[string, number, number]>(db, 'UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id = ?').run(owner, until, id);
}

export function holdRow(db: Db, id: number, note: string): void {
  statement<[string, number]>(db, `UPDATE outbox SET status = 'held', last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`).run(note, id);
}

export function markSent(db: Db, id: number, response: string, now: number): void {
  statement<[string, number, number]>(
    db,
    `UPDATE outbox SET status = 'sent', attempts = attempts + 1, response = ?, sent_at = ?, last_error = NULL,
       lease_owner = NULL, lease_until = NULL WHERE id = ? AND status = 'pending'`,
  ).run(response, now, id);
}

export function markRetry(db: Db, id: number, error: string, nextAttemptAt: number): void {
  statement<[string, number, number]>(
    db,
    `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
       lease_owner = NULL, lease_until = NULL WHERE id = ? AND status = 'pending'`,
  ).run(error, nextAttemptAt, id);
}

export function markFailed(db: Db, id: number, error: string): void {
  statement<[string, number]>(
    db,
    `UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?,
       lease_owner = NULL, lease_until = NULL WHERE id = ? AND status = 'pending'`,
  ).run(error, id);
}

/** Gives a claimed row back (not attempted): due again at once. */
export function releaseRow(db: Db, id: number, owner: string): void {
  statement<[number, string]>(db, `UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND status = 'pending'`).run(
    id,
    owner,
  );
}

/** Back to `pending`, due at `now`, attempts from 0. */
export function requeueRow(db: Db, id: number, now: number): void {
  statement<[number, number]>(
    db,
    `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`,
  ).run(now, id);
}

export function outboxById(db: Db, id: number): OutboxRow | undefined {
  return statement<[number], OutboxRow>(db, `SELECT ${COLUMNS} FROM outbox o WHERE o.id = ?`).get(id);
}

/** RCPT hot path: is this one of our bounce (VERP) tokens? */
export function outboxIdByToken(db: Db, token: string): number | undefined {
  return statement<[string], { id: number }>(db, 'SELECT id FROM outbox WHERE token = ?').get(token)?.id;
}

/** The case a Message-ID token of ours belongs to, and the reply address that message offered (null: an older row). */
export function threadOfOutboxToken(db: Db, token: string): { caseId: number; replyAddressId: number | null } | undefined {
  return statement<[string], { caseId: number; replyAddressId: number | null }>(
    db,
    'SELECT case_id AS caseId, reply_address_id AS replyAddressId FROM outbox WHERE token = ?',
  ).get(token);
}

/** The row a bounce names by its token, and (when given) its Message-ID. */
export function outboxByToken(db: Db, token: string, messageId?: string): OutboxRow | undefined {
  if (messageId === undefined) return statement<[string], OutboxRow>(db, `SELECT ${COLUMNS} FROM outbox o WHERE o.token = ?`).get(token);
  return statement<[string, string], OutboxRow>(db, `SELECT ${COLUMNS} FROM outbox o WHERE o.token = ? AND o.message_id = ?`).get(token, messageId);
}

/** Records a bounce report on a row; a permanent one turns a `sent` row `bounced` (SPEC §5). */
export function markBounced(db: Db, id: number, lastError: string, now: number, permanent: boolean): void {
  statement<[number, string, number, number]>(
    db,
    `UPDATE outbox SET bounced_at = ?, last_error = ?, status = CASE WHEN ? = 1 AND status = 'sent' THEN 'bounced' ELSE status END WHERE id = ?`,
  ).run(now, lastError, permanent ? 1 : 0, id);
}

/** How many rows have `status` (e.g. how many are held now). */
export function countOutboxByStatus(db: Db, status: OutboxStatus): number {
  return statement<[string], { n: number }>(db, 'SELECT count(*) AS n FROM outbox WHERE status = ?').get(status)?.n ?? 0;
}

/** With the token of the reply address the row offers: its own, else (older rows) the case's. */
export type OutboxListed = OutboxRow & { caseNumber: string; replyToken: string };

/** Rows with their case number, oldest first; of one status, or one row, when asked. */
export function listOutboxRows(db: Db, filter: { status?: OutboxStatus; id?: number } = {}): OutboxListed[] {
  const base = `SELECT ${COLUMNS}, c.number AS caseNumber, coalesce(r.token, c.address_token) AS replyToken
    FROM outbox o JOIN cases c ON c.id = o.case_id LEFT JOIN reply_addresses r ON r.id = o.reply_address_id`;
  if (filter.id !== undefined) return statement<[number], OutboxListed>(db, `${base} WHERE o.id = ?`).all(filter.id);
  if (filter.status !== undefined) return statement<[string], OutboxListed>(db, `${base} WHERE o.status = ? ORDER BY o.id`).all(filter.status);
  return statement<[], OutboxListed>(db, `${base} ORDER BY o.id`).all();
}

/** Auto-responses to `recipientLower` written since `since` (at most one per sender per hour, SPEC §7). */
export function countAutoResponsesSince(db: Db, recipientLower: string, since: number): number {
  return (
    statement<[string, number], { n: number }>(
      db,
      "SELECT count(*) AS n FROM outbox WHERE kind = 'auto-response' AND recipient_lower = ? AND created_at > ?",
    ).get(recipientLower, since)?.n ?? 0
  );
}
