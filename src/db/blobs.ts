// Content-addressed store of attachment bytes: `<blobDir>/<sha[0..2]>/<sha>`. A blob is streamed
// into `<blobDir>/tmp/`, hashed while it is written, fsynced, then renamed into place, so a reader
// never sees a half-written file and identical content is stored once.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface StoredBlob {
  /** Lowercase hex SHA-256 of the content. */
  readonly sha256: string;
  /** Size in bytes. */
  readonly size: number;
  /** Where the content lives: `blobPath(blobDir, sha256)`. */
  readonly path: string;
}

/** Where the store keeps the bytes of a content hash. */
export function blobPath(blobDir: string, sha256: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    throw new Error(`"${sha256}" is not a SHA-256 hex digest (64 lowercase hex characters)`);
  }
  return path.join(blobDir, sha256.slice(0, 2), sha256);
}

/** Streams `source` into the store and returns its hash and size; the source is read to its end. */
export async function writeBlob(blobDir: string, source: Readable): Promise<StoredBlob> {
  const tmpFile = path.join(blobDir, 'tmp', `${process.pid}-${crypto.randomBytes(12).toString('hex')}`);

  const hash = crypto.createHash('sha256');
  let size = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });

  try {
    await fs.promises.mkdir(path.dirname(tmpFile), { recursive: true }).catch((err: unknown) => {
      source.destroy();
      throw err;
    });
    // `flush` fsyncs the file before it is closed, so the rename below publishes durable bytes.
    await pipeline(source, hasher, fs.createWriteStream(tmpFile, { flags: 'wx', flush: true }));
    const sha256 = hash.digest('hex');
    const finalPath = blobPath(blobDir, sha256);
    if (await exists(finalPath)) {
      await fs.promises.rm(tmpFile, { force: true });
    } else {
      await fs.promises.mkdir(path.dirname(finalPath), { recursive: true });
      await fs.promises.rename(tmpFile, finalPath);
      await syncDir(path.dirname(finalPath));
    }
    return { sha256, size, path: finalPath };
  } catch (err) {
    await fs.promises.rm(tmpFile, { force: true }).catch(() => undefined);
    // A file-system failure (disk full, no permission) is named here; an error of the source
    // stream is the caller's own and goes up unchanged.
    if (typeof (err as NodeJS.ErrnoException).syscall === 'string') {
      throw new Error(`cannot store attachment content in ${blobDir}: ${(err as Error).message}`, { cause: err });
    }
    throw err;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.promises.access(file);
    return true;
  } catch {
    return false;
  }
}

/** Makes a rename durable: fsync of the folder that holds the new name (not possible on Windows). */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
