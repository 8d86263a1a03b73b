// The `comments` table: text on a case, public or internal.
import { bool, statement, type Db } from './client.js';
import type { comments } from './schema.js';

export type CommentRow = typeof comments.$inferSelect;
export type NewCommentRow = Omit<CommentRow, 'id' | 'createdAt' | 'auth'>;

const COLUMNS = `id, case_id AS caseId, author_email AS authorEmail, author_name AS authorName, body,
  full_body AS fullBody, source, internal, inbound_id AS inboundId, auth, created_at AS createdAt`;

type Raw = Omit<CommentRow, 'internal'> & { internal: number };
const row = (r: Raw): CommentRow => ({ ...r, internal: bool(r.internal) });

/** Inserts a comment (with the inbound log row it came from, if any); returns its id. */
export function insertComment(db: Db, c: NewCommentRow, now: number): number {
  const info = statement<unknown[]>(
    db,
    `INSERT INTO comments (case_id, author_email, author_name, body, full_body, source, internal, inbound_id, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(c.caseId, c.authorEmail, c.authorName, c.body, c.fullBody, c.source, c.internal ? 1 : 0, c.inboundId, now);
  return Number(info.lastInsertRowid);
}

/** The sender authentication of a comment that came by mail (JSON text), in the message's transaction. */
export function setCommentAuth(db: Db, commentId: number, auth: string): void {
  statement<[string, number]>(db, 'UPDATE comments SET auth = ? WHERE id = ?').run(auth, commentId);
}

/** Every comment of a case, oldest first. */
export function commentsOfCase(db: Db, caseId: number): CommentRow[] {
  return statement<[number], Raw>(db, `SELECT ${COLUMNS} FROM comments WHERE case_id = ? ORDER BY id`).all(caseId).map(row);
}

/** The public comments of a case up to and including `upTo`, oldest first (the history email). */
export function publicCommentsUpTo(db: Db, caseId: number, upTo: number): CommentRow[] {
  return statement<[number, number], Raw>(db, `SELECT ${COLUMNS} FROM comments WHERE case_id = ? AND internal = 0 AND id <= ? ORDER BY id`)
    .all(caseId, upTo)
    .map(row);
}

/** A comment of this case, or undefined. */
export function commentOfCase(db: Db, id: number, caseId: number): CommentRow | undefined {
  const r = statement<[number, number], Raw>(db, `SELECT ${COLUMNS} FROM comments WHERE id = ? AND case_id = ?`).get(id, caseId);
  return r === undefined ? undefined : row(r);
}

/** Id of the newest public comment of a case, or null. */
export function lastPublicCommentId(db: Db, caseId: number): number | null {
  return statement<[number], { id: number }>(db, 'SELECT max(id) AS id FROM comments WHERE case_id = ? AND internal = 0').get(caseId)?.id ?? null;
}
