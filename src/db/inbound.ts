// The `inbound` table: the log of every message and recipient that reached DATA, and the
// duplicate and loop look-ups that search it.
import { statement, type Db } from './client.js';
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

export function insertInbound(db: Db, e: NewInboundRow, now: number): number {
  const info = statement<unknown[]>(
    db,
    `INSERT INTO inbound (message_id, mail_from, from_addr, rcpt, subject, decision, reason, smtp_code, case_id,
       fingerprint, loop_key, size, headers, opened_via, auth, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(e.messageId, e.mailFrom, e.fromAddr, e.rcpt, e.subject, e.decision, e.reason, e.smtpCode, e.caseId, e.fingerprint, e.loopKey, e.size, e.headers, e.openedVia ?? null, e.auth, now);
  return Number(info.lastInsertRowid);
}

/** The comment an accepted log row became. */
export function setInboundComment(db: Db, inboundId: number, commentId: number): void {
  statement<[number, number]>(db, 'UPDATE inbound SET comment_id = ? WHERE id = ?').run(commentId, inboundId);
}

export interface Earlier {
  id: number;
  caseId: number | null;
}

/** An accepted copy of the message (same fingerprint) in this case. */
export function duplicateInCase(db: Db, caseId: number, fingerprint: string): Earlier | undefined {
  return statement<[number, string], Earlier>(
    db,
    "SELECT id, case_id AS caseId FROM inbound WHERE case_id = ? AND fingerprint = ? AND decision = 'accepted' LIMIT 1",
  ).get(caseId, fingerprint);
}

/**
 * An accepted copy in a case found through `cases.<column>`: `parent_id` (a closed case's follow-up
 * child holds the redelivered copy) or `thread_root` (the case a first mail opened has its
 * Message-ID as thread root).
 */
export function duplicateInCaseWhere(db: Db, column: 'parent_id' | 'thread_root', value: number | string, fingerprint: string): Earlier | undefined {
  return statement<[number | string, string], Earlier>(
    db,
    `SELECT i.id, i.case_id AS caseId FROM cases c JOIN inbound i ON i.case_id = c.id
      WHERE c.${column} = ? AND i.fingerprint = ? AND i.decision = 'accepted' LIMIT 1`,
  ).get(value, fingerprint);
}

/**
 * Earlier messages (not log rows: a message to two recipients has two) with one of these loop
 * keys since `since`, other than the one with `messageId`.
 */
export function countRecentSame(db: Db, keys: readonly [string, string], since: number, messageId: string | null): number {
  return (
    statement<[string, string, number, string | null, string | null], { n: number }>(
      db,
      `SELECT count(DISTINCT coalesce(message_id, id)) AS n FROM inbound
        WHERE loop_key IN (?, ?) AND created_at > ? AND (? IS NULL OR message_id IS NOT ?)`,
    ).get(keys[0], keys[1], since, messageId, messageId)?.n ?? 0
  );
}

/** New cases `from` (any letter case) opened through routing address `routingId` since `since` (the rate limit, SPEC §7). */
export function countOpenedVia(db: Db, routingId: number, from: string, since: number): number {
  return (
    statement<[number, string, number], { n: number }>(
      db,
      'SELECT count(*) AS n FROM inbound WHERE opened_via = ? AND lower(from_addr) = ? AND created_at > ?',
    ).get(routingId, from.toLowerCase(), since)?.n ?? 0
  );
}

/**
 * A case this very message opened a moment ago through another routing address (an alias among
 * the recipients of one transaction, which all share `now`): found by sender, time and
 * fingerprint, for mail without a Message-ID (with one, `thread_root` finds it).
 */
export function openedInSameDelivery(db: Db, from: string, now: number, fingerprint: string): Earlier | undefined {
  return statement<[string, number, string], Earlier>(
    db,
    `SELECT id, case_id AS caseId FROM inbound
      WHERE opened_via IN (SELECT id FROM routing_addresses) AND lower(from_addr) = ? AND created_at = ? AND fingerprint = ? AND decision = 'accepted' LIMIT 1`,
  ).get(from.toLowerCase(), now, fingerprint);
}

/** The routing address through which the mail that opened case `caseId` came, or undefined. */
export function openedViaOfCase(db: Db, caseId: number): number | undefined {
  return (
    statement<[number], { via: number }>(db, 'SELECT opened_via AS via FROM inbound WHERE case_id = ? AND opened_via IS NOT NULL ORDER BY id LIMIT 1').get(caseId)?.via ??
    undefined
  );
}

const COLUMNS = `i.id, i.message_id AS messageId, i.mail_from AS mailFrom, i.from_addr AS fromAddr, i.rcpt, i.subject,
  i.decision, i.reason, i.smtp_code AS smtpCode, i.case_id AS caseId, i.comment_id AS commentId, i.fingerprint,
  i.loop_key AS loopKey, i.size, i.headers, i.auth, i.created_at AS createdAt, c.number AS caseNumber`;

export type InboundListed = InboundRow & { caseNumber: string | null };

/** The newest rows first, optionally of one decision. */
export function listInbound(db: Db, filter: { decision?: Decision; limit: number }): InboundListed[] {
  const where = filter.decision === undefined ? '' : 'WHERE i.decision = ?';
  const params: unknown[] = filter.decision === undefined ? [filter.limit] : [filter.decision, filter.limit];
  return statement<unknown[], InboundListed>(db, `SELECT ${COLUMNS} FROM inbound i LEFT JOIN cases c ON c.id = i.case_id ${where} ORDER BY i.id DESC LIMIT ?`).all(
    ...params,
  );
}

export function inboundById(db: Db, id: number): InboundListed | undefined {
  return statement<[number], InboundListed>(db, `SELECT ${COLUMNS} FROM inbound i LEFT JOIN cases c ON c.id = i.case_id WHERE i.id = ?`).get(id);
}
