// The `comments` table: text on a case, public or internal.
import { bool, type Tx } from './engine.js';
import type { comments } from './schema.js';

export type CommentRow = typeof comments.$inferSelect;
export type NewCommentRow = Omit<CommentRow, 'id' | 'createdAt' | 'auth'> & {
  /** The sender authentication of a comment that came by mail (JSON text); null or absent otherwise. */
  auth?: string | null;
};

const COLUMNS = `id, case_id AS "caseId", author_email AS "authorEmail", author_name AS "authorName", body,
  full_body AS "fullBody", source, internal, inbound_id AS "inboundId", auth, created_at AS "createdAt"`;

type Raw = Omit<CommentRow, 'internal'> & { internal: number | boolean };
const row = (r: Raw): CommentRow => ({ ...r, internal: bool(r.internal) });

/** Inserts a comment (with the inbound log row it came from and its sender authentication, if any); returns its id. */
export async function insertComment(tx: Tx, c: NewCommentRow, now: number): Promise<number> {
  return tx.insert(
    `INSERT INTO comments (case_id, author_email, author_name, body, full_body, source, internal, inbound_id, auth, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [c.caseId, c.authorEmail, c.authorName, c.body, c.fullBody, c.source, c.internal ? 1 : 0, c.inboundId, c.auth ?? null, now],
  );
}

/** Every comment of a case, oldest first. */
export async function commentsOfCase(tx: Tx, caseId: number): Promise<CommentRow[]> {
  return (await tx.all<Raw>(`SELECT ${COLUMNS} FROM comments WHERE case_id = ? ORDER BY id`, [caseId])).map(row);
}

/** The public comments of a case up to and including `upTo`, oldest first (the history email). */
export async function publicCommentsUpTo(tx: Tx, caseId: number, upTo: number): Promise<CommentRow[]> {
  return (await tx.all<Raw>(`SELECT ${COLUMNS} FROM comments WHERE case_id = ? AND internal = FALSE AND id <= ? ORDER BY id`, [caseId, upTo])).map(row);
}

/** A comment of this case, or undefined. */
export async function commentOfCase(tx: Tx, id: number, caseId: number): Promise<CommentRow | undefined> {
  const r = await tx.get<Raw>(`SELECT ${COLUMNS} FROM comments WHERE id = ? AND case_id = ?`, [id, caseId]);
  return r === undefined ? undefined : row(r);
}

/** Id of the newest public comment of a case, or null. */
export async function lastPublicCommentId(tx: Tx, caseId: number): Promise<number | null> {
  return (await tx.get<{ id: number | null }>('SELECT max(id) AS id FROM comments WHERE case_id = ? AND internal = FALSE', [caseId]))?.id ?? null;
}
