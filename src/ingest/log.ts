// The inbound log: one row per message and recipient that reached DATA, with its decision and reason.
import { statementCache, type Db } from '../db/client.js';
import { formatAnswer, type Answer } from '../domain/refusal.js';

export type Decision = 'accepted' | 'refused' | 'ignored' | 'duplicate';

export interface LogEntry {
  messageId: string | null;
  mailFrom: string | null;
  fromAddr: string | null;
  rcpt: string;
  subject: string | null;
  decision: Decision;
  answer: Answer;
  caseId: number | null;
  fingerprint: string | null;
  loopKey: string | null;
  size: number;
  /** Kept for every decision but `accepted`, to explain it later. */
  headers: string | null;
}

/** Prepared once per connection. */
const statementsOf = statementCache((db: Db) => {
  return {
    insert: db.sqlite.prepare(
      `INSERT INTO inbound (message_id, mail_from, from_addr, rcpt, subject, decision, reason, smtp_code, case_id,
         fingerprint, loop_key, size, headers, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    linkComment: db.sqlite.prepare('UPDATE inbound SET case_id = ?, comment_id = ? WHERE id = ?'),
    linkBack: db.sqlite.prepare('UPDATE comments SET inbound_id = ? WHERE id = ?'),
  };
});

export function logInbound(db: Db, e: LogEntry, now: number): number {
  const info = statementsOf(db).insert.run(
    e.messageId,
    e.mailFrom,
    e.fromAddr,
    e.rcpt,
    e.subject,
    e.decision,
    formatAnswer(e.answer),
    e.answer.code,
    e.caseId,
    e.fingerprint,
    e.loopKey,
    e.size,
    e.decision === 'accepted' ? null : e.headers,
    now,
  );
  return Number(info.lastInsertRowid);
}

export function linkInboundComment(db: Db, inboundId: number, caseId: number, commentId: number): void {
  const s = statementsOf(db);
  s.linkComment.run(caseId, commentId, inboundId);
  s.linkBack.run(inboundId, commentId);
}
