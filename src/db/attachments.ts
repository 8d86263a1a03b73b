// The `attachments` table and the `blobs` rows that name their content (the bytes themselves are
// in the blob store, src/db/blobs.ts).
import { bool, statement, type Db } from './client.js';
import type { attachments } from './schema.js';

export type AttachmentRow = typeof attachments.$inferSelect;
export type NewAttachment = Omit<AttachmentRow, 'id' | 'commentId'>;

const COLUMNS = `id, comment_id AS commentId, sha256, filename, content_type AS contentType, size,
  content_id AS contentId, inline`;

type Raw = Omit<AttachmentRow, 'inline'> & { inline: number };

/** Records an attachment of a comment; its content's blob row is written once per content. */
export function insertAttachment(db: Db, commentId: number, a: NewAttachment, now: number): void {
  statement<[string, number, number]>(db, 'INSERT OR IGNORE INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)').run(a.sha256, a.size, now);
  statement<unknown[]>(
    db,
    `INSERT INTO attachments (comment_id, sha256, filename, content_type, size, content_id, inline)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(commentId, a.sha256, a.filename, a.contentType, a.size, a.contentId, a.inline ? 1 : 0);
}

/** The attachments of these comments, in the order they were stored. */
export function attachmentsOf(db: Db, commentIds: readonly number[]): AttachmentRow[] {
  if (commentIds.length === 0) return [];
  const found: AttachmentRow[] = [];
  const byComment = statement<[number], Raw>(db, `SELECT ${COLUMNS} FROM attachments WHERE comment_id = ? ORDER BY id`);
  for (const id of commentIds) {
    for (const r of byComment.all(id)) found.push({ ...r, inline: bool(r.inline) });
  }
  return found.sort((a, b) => a.id - b.id);
}

/** Whether a `blobs` row names this content (an attachment of a committed comment). */
export function isBlobStored(db: Db, sha256: string): boolean {
  return statement<[string], { one: number }>(db, 'SELECT 1 AS one FROM blobs WHERE sha256 = ?').get(sha256) !== undefined;
}

/** Which of these contents have a `blobs` row. */
export function storedBlobs(db: Db, shas: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const sha of shas) if (isBlobStored(db, sha)) found.add(sha);
  return found;
}
