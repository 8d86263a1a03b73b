// Where attachment contents live, chosen when the database is opened: files in a folder
// (src/db/blobs.ts; SQLite always, PostgreSQL when CASEGATE_BLOB_DIR names a folder every node
// mounts) or chunks in PostgreSQL's `blob_contents` (src/db/blobsInDb.ts, PostgreSQL's default, so
// that nodes share nothing but the database). Both are content-addressed by SHA-256.
//
// The life of a content: `write` streams it to local disk while the message is read (the folder
// store writes it in place; the database store to a spool file); the message's own transaction
// records the attachment row (src/db/attachments.ts), which with the database store copies the
// spool file into `blob_contents` in the same transaction; after that transaction settles, whatever
// its outcome, `release` lets go of what `write` made, so nothing of a refused or failed message stays.
import type { Readable } from 'node:stream';
import type { Tx } from './engine.js';

export interface WrittenBlob {
  /** Lowercase hex SHA-256 of the content. */
  readonly sha256: string;
  /** Size in bytes. */
  readonly size: number;
  /**
   * Database store: the local spool file the message's transaction copies into the database.
   * Null when the store holds the content already (the folder store).
   */
  readonly spool: string | null;
}

/** How to give an attachment's content to nodemailer: a file it reads, or a stream of the chunks. */
export type BlobSource = { readonly path: string } | { readonly content: Readable };

export interface GarbageReport {
  /** Contents that no row names (files, or the chunks of one content in the database). */
  orphans: number;
  /** Half-written or spool files of processes that are gone. */
  temps: number;
  bytes: number;
}

export interface BlobStore {
  readonly kind: 'folder' | 'database';
  /** Where the contents are, for messages: the folder, or "the database". */
  readonly where: string;
  /** The local folder the bytes are first written to (what the free-space check looks at). */
  readonly localDir: string;
  /** Streams `source` to local disk, hashing it; the source is read to its end. */
  write(source: Readable): Promise<WrittenBlob>;
  /** After the transaction that recorded (or did not record) these settled: lets go of them; what no row names goes. */
  release(written: readonly WrittenBlob[]): Promise<{ files: number; bytes: number }>;
  /** The content of a stored attachment, read when it is sent (`size` is checked against what is read). */
  source(sha256: string, size: number): BlobSource;
  /** Which of these contents the store does not have. */
  missing(tx: Tx, shas: readonly string[]): Promise<string[]>;
  /** Removes contents no row names and temp files of dead processes, older than `graceMs`. */
  collectGarbage(graceMs: number, now?: number): Promise<GarbageReport>;
}
