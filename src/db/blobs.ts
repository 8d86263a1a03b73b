// Content-addressed store of attachment bytes: `<blobDir>/<sha[0..2]>/<sha>`. A blob is streamed
// into `<blobDir>/tmp/`, hashed while it is written, fsynced, then renamed into place, so a reader
// never sees a half-written file and identical content is stored once.
//
// A blob belongs to the message being parsed until that message's rows are committed or it is
// refused: writeBlob holds it (in this process) and releaseBlobs lets go, removing every blob that
// no `blobs` row names and no other message in flight holds, so nothing of a refused or failed
// message stays. What a crash leaves (a temp file, a blob whose row never committed) is removed by
// collectGarbage at start and by `casegate gc`.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { GarbageReport } from './blobStore.js';

export type { GarbageReport } from './blobStore.js';

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
/**
 * Makes `dir` before `source` is piped anywhere. An error of the source while it is made (a client
 * gone) is kept and thrown here: unheard, a stream's 'error' event would end the process.
 */
export async function folderFor(source: Readable, dir: string, mode?: number): Promise<void> {
  let early: unknown;
  const keep = (err: unknown): void => {
    early ??= err;
  };
  source.on('error', keep);
  try {
    await fs.promises.mkdir(dir, { recursive: true, mode });
  } catch (err) {
    source.destroy();
    throw err;
  } finally {
    source.off('error', keep);
  }
  if (early !== undefined) throw early;
}

/** A pass-through stream that hashes (SHA-256) and counts what goes through it; read both after the pipeline ends. */
export function hashing(): Transform & { sha256(): string; size(): number } {
  const hash = crypto.createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return Object.assign(stream, { sha256: () => hash.digest('hex'), size: () => size });
}

export async function writeBlob(blobDir: string, source: Readable): Promise<StoredBlob> {
  const tmpFile = path.join(blobDir, 'tmp', `${process.pid}-${crypto.randomBytes(12).toString('hex')}`);

  const hasher = hashing();

  let held: string | null = null;
  try {
    await folderFor(source, path.dirname(tmpFile));
    // `flush` fsyncs the file before it is closed, so the rename below publishes durable bytes.
    await pipeline(source, hasher, fs.createWriteStream(tmpFile, { flags: 'wx', flush: true }));
    const sha256 = hasher.sha256();
    const finalPath = blobPath(blobDir, sha256);
    hold(finalPath);
    held = finalPath;
    if (await exists(finalPath)) {
      await fs.promises.rm(tmpFile, { force: true });
    } else {
      await fs.promises.mkdir(path.dirname(finalPath), { recursive: true });
      await fs.promises.rename(tmpFile, finalPath);
      await syncDir(path.dirname(finalPath));
    }
    return { sha256, size: hasher.size(), path: finalPath };
  } catch (err) {
    await fs.promises.rm(tmpFile, { force: true }).catch(() => undefined);
    if (held !== null) unhold(held);
    throw storeError(err, blobDir);
  }
}

/**
 * A file-system failure (disk full, no permission) named with the folder; an error of the source
 * stream is the caller's own and is given back unchanged.
 */
export function storeError(err: unknown, dir: string): unknown {
  if (typeof (err as NodeJS.ErrnoException).syscall !== 'string') return err;
  // The errno code stays on the error: callers decide by it (ENOSPC is a temporary failure).
  const { code, syscall } = err as NodeJS.ErrnoException;
  return Object.assign(new Error(`cannot store attachment content in ${dir}: ${(err as Error).message}`, { cause: err }), { code, syscall });
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

/** Blobs held by messages in flight in this process: path → how many hold it. */
const holds = new Map<string, number>();
/**
 * Counts every hold taken in this process. A removal that asked the database (asynchronously)
 * whether a row names a blob removes it only when no hold was taken meanwhile: a message that
 * held it and committed its row while the answer was on its way keeps its file.
 */
let holdsTaken = 0;

function hold(file: string): void {
  holdsTaken += 1;
  holds.set(file, (holds.get(file) ?? 0) + 1);
}

function unhold(file: string): void {
  const left = (holds.get(file) ?? 1) - 1;
  if (left > 0) holds.set(file, left);
  else holds.delete(file);
}

/** Whether a message in flight in this process holds the blob at this path. */
export function isHeld(file: string): boolean {
  return (holds.get(file) ?? 0) > 0;
}

/**
 * Lets go of the blobs one message held (one entry per writeBlob) and removes those that no
 * `blobs` row names (`storedOf` says which of a list have one, in one look) and no other message
 * holds. Call it after the message's transaction settled, whatever its outcome. Returns what was removed.
 */
export async function releaseBlobs(
  blobDir: string,
  shas: readonly string[],
  storedOf: (shas: readonly string[]) => Promise<Set<string>>,
): Promise<{ files: number; bytes: number }> {
  const freed = { files: 0, bytes: 0 };
  for (const sha of shas) unhold(blobPath(blobDir, sha));
  const candidates = [...new Set(shas)].filter((sha) => !isHeld(blobPath(blobDir, sha)));
  if (candidates.length === 0) return freed;
  const before = holdsTaken;
  const stored = await storedOf(candidates);
  // Checked again after the answer, with no await between the check and the removal.
  if (holdsTaken !== before) return freed;
  for (const sha of candidates) {
    const file = blobPath(blobDir, sha);
    if (stored.has(sha) || isHeld(file)) continue;
    freed.bytes += removeFile(file);
    freed.files += 1;
  }
  return freed;
}

/** Removes a file (synchronously, so no other work interleaves between the check and the removal); its size, 0 when it was gone. */
function removeFile(file: string): number {
  try {
    const { size } = fs.statSync(file);
    fs.rmSync(file, { force: true });
    return size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

/**
 * Removes the temp files (`<pid>-<random>`) in `dir` of processes that are gone, and any older than
 * `graceMs`; a live process's young file may be a message still being received.
 */
export function collectTemps(dir: string, graceMs: number, now = Date.now()): { files: number; bytes: number } {
  const freed = { files: 0, bytes: 0 };
  const old = (file: string): boolean => now - fs.statSync(file).mtimeMs >= graceMs;
  for (const name of listDir(dir)) {
    const file = path.join(dir, name);
    const pid = Number(name.split('-')[0]);
    if (!isThere(file)) continue;
    if (pid === process.pid && !old(file)) continue;
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && !old(file)) continue;
    freed.bytes += removeFile(file);
    freed.files += 1;
  }
  return freed;
}

/**
 * Removes what a crash left in the blob store: temp files of a process that is gone (or older
 * than `graceMs`), and content files that no `blobs` row names, older than `graceMs` (younger ones
 * may belong to a message another process is still receiving) and held by no message here.
 * `storedOf` says which of a list of hashes have a row.
 */
export async function collectGarbage(
  blobDir: string,
  storedOf: (shas: readonly string[]) => Promise<Set<string>>,
  graceMs: number,
  now = Date.now(),
): Promise<GarbageReport> {
  const temps = collectTemps(path.join(blobDir, 'tmp'), graceMs, now);
  const report: GarbageReport = { orphans: 0, temps: temps.files, bytes: temps.bytes };
  const old = (file: string): boolean => now - fs.statSync(file).mtimeMs >= graceMs;
  for (const prefix of listDir(blobDir)) {
    if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
    const candidates = listDir(path.join(blobDir, prefix)).filter((name) => /^[0-9a-f]{64}$/.test(name) && name.startsWith(prefix));
    const before = holdsTaken;
    const stored = await storedOf(candidates);
    for (const sha of candidates) {
      const file = blobPath(blobDir, sha);
      // A hold taken while the rows were read may be a message that just committed one of these.
      if (stored.has(sha) || isHeld(file) || holdsTaken !== before || !isThere(file) || !old(file)) continue;
      report.bytes += removeFile(file);
      report.orphans += 1;
    }
  }
  return report;
}

/** Whether the file is (still) there. */
function isThere(file: string): boolean {
  return fs.existsSync(file);
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Bytes free to this process on the file system that holds `dir` (or its nearest existing parent):
 * what the blob store and the database beside it can still grow by.
 */
export function freeBytes(dir: string): number {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    try {
      const s = fs.statfsSync(d);
      return s.bavail * s.bsize;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(d) === d) throw err;
    }
  }
}
