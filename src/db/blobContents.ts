// The `blob_contents` table (PostgreSQL only): attachment bytes in chunks of at most CHUNK_BYTES,
// `seq` from 0, when no blob folder is shared by every node. A content is written in the
// transaction that records its first attachment and is never changed; the `blobs` row it hangs on
// is locked (FOR SHARE) by every transaction that records an attachment of it, so the collector,
// which deletes only what it can lock, never takes a content from under a message being committed.
import fs from 'node:fs';
import type { Tx } from './engine.js';

/** Bytes per chunk: big enough that a 30 MiB attachment is 30 rows, small enough to hold a few in memory. */
export const CHUNK_BYTES = 1024 * 1024;

function requirePostgres(tx: Tx): void {
  if (tx.dialect !== 'postgres') throw new Error('attachment contents in the database need PostgreSQL; SQLite keeps them in its blob folder');
}

/**
 * Copies the local spool file of a content into the database, in the caller's transaction, unless
 * the content is there already. The `blobs` row must exist (src/db/attachments.ts writes it first).
 */
export async function putContent(tx: Tx, sha256: string, size: number, spool: string): Promise<void> {
  requirePostgres(tx);
  await tx.get('SELECT sha256 FROM blobs WHERE sha256 = ? FOR SHARE', [sha256]);
  if (size === 0 || (await hasContent(tx, sha256))) return;
  let seq = 0;
  let written = 0;
  // One chunk in memory at a time: read, written, let go.
  const file = await fs.promises.open(spool, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, size));
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, written);
      if (bytesRead === 0) break;
      await tx.run('INSERT INTO blob_contents (sha256, seq, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [sha256, seq, buffer.subarray(0, bytesRead)]);
      seq += 1;
      written += bytesRead;
    }
  } finally {
    await file.close();
  }
  if (written !== size) throw new Error(`the spool file ${spool} of attachment content ${sha256} holds ${written} bytes, not ${size}`);
}

async function hasContent(tx: Tx, sha256: string): Promise<boolean> {
  return (await tx.get<{ one: number }>('SELECT 1 AS one FROM blob_contents WHERE sha256 = ? AND seq = 0', [sha256])) !== undefined;
}

/** One chunk of a content, or undefined past its end. */
export async function contentChunk(tx: Tx, sha256: string, seq: number): Promise<Buffer | undefined> {
  requirePostgres(tx);
  return (await tx.get<{ data: Buffer }>('SELECT data FROM blob_contents WHERE sha256 = ? AND seq = ?', [sha256, seq]))?.data;
}

/** Which of these contents have no chunks in the database (an empty content needs none). */
export async function contentsMissing(tx: Tx, shas: readonly string[]): Promise<string[]> {
  requirePostgres(tx);
  const missing: string[] = [];
  for (const sha of shas) {
    const row = await tx.get<{ size: number }>('SELECT size FROM blobs WHERE sha256 = ?', [sha]);
    if (row === undefined || (row.size > 0 && !(await hasContent(tx, sha)))) missing.push(sha);
  }
  return missing;
}

/** Contents (`blobs` rows) that no attachment names, recorded before `before` (ms): what the collector may take. */
export async function unnamedContents(tx: Tx, before: number): Promise<string[]> {
  requirePostgres(tx);
  const rows = await tx.all<{ sha256: string }>(
    `SELECT b.sha256 FROM blobs b WHERE b.created_at <= ? AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = b.sha256)
     ORDER BY b.sha256`,
    [before],
  );
  return rows.map((r) => r.sha256);
}

/**
 * Deletes a content no attachment names, with its `blobs` row, when no transaction holds it (one
 * recording an attachment of it skips it: SKIP LOCKED); the bytes it freed, or null when it was kept.
 */
export async function deleteUnnamedContent(tx: Tx, sha256: string): Promise<number | null> {
  requirePostgres(tx);
  const locked = await tx.get<{ sha256: string }>('SELECT sha256 FROM blobs WHERE sha256 = ? FOR UPDATE SKIP LOCKED', [sha256]);
  if (locked === undefined) return null;
  // A statement of its own sees attachments committed since the list was read.
  if ((await tx.get<{ one: number }>('SELECT 1 AS one FROM attachments WHERE sha256 = ? LIMIT 1', [sha256])) !== undefined) return null;
  const freed = await tx.get<{ bytes: number | null }>('SELECT sum(octet_length(data)) AS bytes FROM blob_contents WHERE sha256 = ?', [sha256]);
  await tx.run('DELETE FROM blob_contents WHERE sha256 = ?', [sha256]);
  await tx.run('DELETE FROM blobs WHERE sha256 = ?', [sha256]);
  return freed?.bytes ?? 0;
}
