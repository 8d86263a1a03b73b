// The `inbound` table: the log of every message and recipient that reached DATA, and the
// duplicate and loop look-ups that search it.
import type { Tx } from './engine.js';
import type { inbound } from './schema.js';
import type { Decision } from '../domain/inbound.js';

export type InboundRow = typeof inbound.$inferSelect;

export interface NewInboundRow {
  messageId: string | null;
  mailFrom: string | null;
  fromAddr: string | null;
  rcpt: string;
  subject: string | null;
  decision: Decision;
  /** The whole SMTP answer, `550 5.7.1 …`. */
  reason: string;
  smtpCode: number;
  caseId: number | null;
  fingerprint: string | null;
  loopKey: string | null;
  size: number;
  headers: string | null;
  /** The routing address through which this message opened a new case; null otherwise. */
  openedVia?: number | null;
  /** Sender authentication as JSON; null when not looked up. */
  auth: string | null;
}

export async function insertInbound(tx: Tx, e: NewInboundRow, now: number): Promise<number> {
  return tx.insert(
    `INSERT INTO inbound (message_id, mail_from, from_addr, rcpt, subject, decision, reason, smtp_code, case_id,
       fingerprint, loop_key, size, headers, opened_via, auth, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [e.messageId, e.mailFrom, e.fromAddr, e.rcpt, e.subject, e.decision, e.reason, e.smtpCode, e.caseId, e.fingerprint, e.loopKey, e.size, e.headers, e.openedVia ?? null, e.auth, now],
  );
}

/** The comment an accepted log row became. */
export async function setInboundComment(tx: Tx, inboundId: number, commentId: number): Promise<void> {
  await tx.run('UPDATE inbound SET comment_id = ? WHERE id = ?', [commentId, inboundId]);
}

export interface Earlier {
  id: number;
  caseId: number | null;
}

/** An accepted copy of the message (same fingerprint) in this case. */
export function duplicateInCase(tx: Tx, caseId: number, fingerprint: string): Promise<Earlier | undefined> {
  return tx.get<Earlier>(
    `SELECT id, case_id AS "caseId" FROM inbound WHERE case_id = ? AND fingerprint = ? AND decision = 'accepted' ORDER BY id LIMIT 1`,
    [caseId, fingerprint],
  );
}

/**
 * An accepted copy in a case found through `cases.<column>`: `parent_id` (a closed case's follow-up
 * child holds the redelivered copy) or `thread_root` (the case a first mail opened has its
 * Message-ID as thread root).
 */
export function duplicateInCaseWhere(tx: Tx, column: 'parent_id' | 'thread_root', value: number | string, fingerprint: string): Promise<Earlier | undefined> {
  return tx.get<Earlier>(
    `SELECT i.id, i.case_id AS "caseId" FROM cases c JOIN inbound i ON i.case_id = c.id
      WHERE c.${column} = ? AND i.fingerprint = ? AND i.decision = 'accepted' ORDER BY i.id LIMIT 1`,
    [value, fingerprint],
  );
}

/**
 * Earlier messages (not log rows: a message to two recipients has two) with one of these loop
 * keys since `since`, other than the one with `messageId`.
 */
export async function countRecentSame(tx: Tx, keys: readonly [string, string], since: number, messageId: string | null): Promise<number> {
  const where = `FROM inbound WHERE loop_key IN (?, ?) AND created_at > ?${messageId === null ? '' : ' AND message_id IS DISTINCT FROM ?'}`;
  const params = messageId === null ? [keys[0], keys[1], since] : [keys[0], keys[1], since, messageId];
  // Almost every message has no earlier one: SQLite first looks whether there is any, since the
  // count's DISTINCT builds a temporary b-tree even for no rows (in serve the count took 14 us of
  // every message, the look 10). On PostgreSQL each statement is a round trip: the count alone.
  if (tx.dialect === 'sqlite' && (await tx.get(`SELECT 1 AS one ${where} LIMIT 1`, params)) === undefined) return 0;
  return (await tx.get<{ n: number }>(`SELECT count(DISTINCT coalesce(message_id, CAST(id AS TEXT))) AS n ${where}`, params))?.n ?? 0;
}

/** New cases `from` (any letter case) opened through routing address `routingId` since `since` (the rate limit, SPEC §7). */
export async function countOpenedVia(tx: Tx, routingId: number, from: string, since: number): Promise<number> {
  return (await tx.get<{ n: number }>('SELECT count(*) AS n FROM inbound WHERE opened_via = ? AND lower(from_addr) = ? AND created_at > ?', [routingId, from.toLowerCase(), since]))?.n ?? 0;
}

/**
 * A case this very message opened a moment ago through another routing address (an alias among
 * the recipients of one transaction, which all share `now`): found by sender, time and
 * fingerprint, for mail without a Message-ID (with one, `thread_root` finds it).
 */
export function openedInSameDelivery(tx: Tx, from: string, now: number, fingerprint: string): Promise<Earlier | undefined> {
  return tx.get<Earlier>(
    `SELECT id, case_id AS "caseId" FROM inbound
      WHERE opened_via IN (SELECT id FROM routing_addresses) AND lower(from_addr) = ? AND created_at = ? AND fingerprint = ? AND decision = 'accepted'
      ORDER BY id LIMIT 1`,
    [from.toLowerCase(), now, fingerprint],
  );
}

/** The routing address through which the mail that opened case `caseId` came, or undefined. */
export async function openedViaOfCase(tx: Tx, caseId: number): Promise<number | undefined> {
  return (await tx.get<{ via: number }>('SELECT opened_via AS via FROM inbound WHERE case_id = ? AND opened_via IS NOT NULL ORDER BY id LIMIT 1', [caseId]))?.via ?? undefined;
}

const COLUMNS = `i.id, i.message_id AS "messageId", i.mail_from AS "mailFrom", i.from_addr AS "fromAddr", i.rcpt, i.subject,
  i.decision, i.reason, i.smtp_code AS "smtpCode", i.case_id AS "caseId", i.comment_id AS "commentId", i.fingerprint,
  i.loop_key AS "loopKey", i.size, i.headers, i.auth, i.created_at AS "createdAt", c.number AS "caseNumber"`;

export type InboundListed = InboundRow & { caseNumber: string | null };

/** What `inbound list` and `casegate trace` look for; every given filter must hold. */
export interface InboundFilter {
  decision?: Decision;
  /** The header From or the envelope sender, lower-cased. */
  fromLower?: string;
  /** The recipient, lower-cased. */
  rcptLower?: string;
  /** With its angle brackets, as stored. */
  messageId?: string;
  caseId?: number;
  /** Received at or after (ms). */
  since?: number;
  limit: number;
}

/** The newest rows first. */
export function listInbound(tx: Tx, filter: InboundFilter): Promise<InboundListed[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]): void => {
    where.push(clause);
    params.push(...values);
  };
  if (filter.decision !== undefined) add('i.decision = ?', filter.decision);
  if (filter.fromLower !== undefined) add('(lower(i.from_addr) = ? OR lower(i.mail_from) = ?)', filter.fromLower, filter.fromLower);
  if (filter.rcptLower !== undefined) add('lower(i.rcpt) = ?', filter.rcptLower);
  if (filter.messageId !== undefined) add('i.message_id = ?', filter.messageId);
  if (filter.caseId !== undefined) add('i.case_id = ?', filter.caseId);
  if (filter.since !== undefined) add('i.created_at >= ?', filter.since);
  const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
  return tx.all<InboundListed>(`SELECT ${COLUMNS} FROM inbound i LEFT JOIN cases c ON c.id = i.case_id ${clause} ORDER BY i.id DESC LIMIT ?`, [...params, filter.limit]);
}

export function inboundById(tx: Tx, id: number): Promise<InboundListed | undefined> {
  return tx.get<InboundListed>(`SELECT ${COLUMNS} FROM inbound i LEFT JOIN cases c ON c.id = i.case_id WHERE i.id = ?`, [id]);
}

/**
 * Holds, until the transaction ends, a lock named by the message's fingerprint: transactions taking
 * one copy of a message (delivered twice at once, through two nodes) go one after the other, and
 * the second finds the first as its duplicate. PostgreSQL only: a SQLite write transaction holds
 * the one write lock of the whole database already.
 */
export async function lockFingerprint(tx: Tx, fingerprint: string): Promise<void> {
  await lockName(tx, fingerprint);
}

/**
 * Holds, until the transaction ends, the lock of one limit's counter: the loop limit's (messages
 * with the same loop hash) or a routing address's rate limit (one sender on one address). Messages
 * counted against the same limit are then counted one after the other, each seeing the rows of the
 * ones before, so that two nodes cannot both count 2 of 3 and both take a third. PostgreSQL only.
 */
export async function lockLimit(tx: Tx, limit: 'loop' | 'rate', key: string): Promise<void> {
  await lockName(tx, `${limit}:${key}`);
}

/** A transaction-scoped advisory lock named by a 64-bit hash of `name` (PostgreSQL; nothing on SQLite). */
async function lockName(tx: Tx, name: string): Promise<void> {
  if (tx.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(hashtextextended(?, 0)) AS locked', [name]);
}

/**
 * Retention: removes up to `limit` inbound log rows created before `before` with an id above
 * `afterId` (the cursor of the previous batch; ids grow with time, so a walk in id order sees each
 * row once). Comments keep their text: their inbound id then names no row.
 */
export async function pruneInboundBatch(tx: Tx, before: number, afterId: number, limit: number): Promise<{ removed: number; lastId: number | null }> {
  const rows = await tx.all<{ id: number }>('SELECT id FROM inbound WHERE id > ? AND created_at < ? ORDER BY id LIMIT ?', [afterId, before, limit]);
  if (rows.length === 0) return { removed: 0, lastId: null };
  const ids = rows.map((r) => r.id);
  await tx.run(`DELETE FROM inbound WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
  return { removed: ids.length, lastId: ids[ids.length - 1] as number };
}
