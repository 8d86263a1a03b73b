// The `attachments` table and the `blobs` rows that name their content (the bytes themselves are
// in the blob store, src/db/blobStore.ts: a folder, or `blob_contents` in PostgreSQL).
import { putContent } from './blobContents.js';
import { bool, type Tx } from './engine.js';
import type { attachments } from './schema.js';

export type AttachmentRow = typeof attachments.$inferSelect;
export type NewAttachment = Omit<AttachmentRow, 'id' | 'commentId'> & {
  /**
   * The database blob store's local spool file of the content (BlobStore.write), copied into the
   * database in the transaction that records the attachment; null when the store holds it already.
   */
  readonly spool: string | null;
};

const COLUMNS = `id, comment_id AS "commentId", sha256, filename, content_type AS "contentType", size,
  content_id AS "contentId", inline`;

type Raw = Omit<AttachmentRow, 'inline'> & { inline: number | boolean };

/**
 * Records an attachment of a comment; its content's blob row (and, from a spool file, the content
 * itself) is written once per content, in `tx`.
 */
export async function insertAttachment(tx: Tx, commentId: number, a: NewAttachment, now: number): Promise<void> {
  await tx.run('INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [a.sha256, a.size, now]);
  if (a.spool !== null) await putContent(tx, a.sha256, a.size, a.spool);
  await tx.run(
    `INSERT INTO attachments (comment_id, sha256, filename, content_type, size, content_id, inline)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [commentId, a.sha256, a.filename, a.contentType, a.size, a.contentId, a.inline ? 1 : 0],
  );
}

/** The attachments of these comments, in the order they were stored. */
export async function attachmentsOf(tx: Tx, commentIds: readonly number[]): Promise<AttachmentRow[]> {
  if (commentIds.length === 0) return [];
  const found: AttachmentRow[] = [];
  for (const id of commentIds) {
    for (const r of await tx.all<Raw>(`SELECT ${COLUMNS} FROM attachments WHERE comment_id = ? ORDER BY id`, [id])) {
      found.push({ ...r, inline: bool(r.inline) });
    }
  }
  return found.sort((a, b) => a.id - b.id);
}

/** Whether a `blobs` row names this content (an attachment of a committed comment). */
export async function isBlobStored(tx: Tx, sha256: string): Promise<boolean> {
  return (await tx.get<{ one: number }>('SELECT 1 AS one FROM blobs WHERE sha256 = ?', [sha256])) !== undefined;
}

/** Which of these contents have a `blobs` row. */
export async function storedBlobs(tx: Tx, shas: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const sha of shas) if (await isBlobStored(tx, sha)) found.add(sha);
  return found;
}
