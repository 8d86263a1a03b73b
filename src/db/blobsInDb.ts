// The database blob store (PostgreSQL's default): contents in `blob_contents` (src/db/blobContents.ts),
// so gateways on several machines share nothing but the database. While a message is read each
// attachment streams to a spool file of its own on local disk (`<spoolDir>/<pid>-<random>`, memory
// stays bounded); the message's transaction copies it into the database in chunks; `release`
// removes the spool files once that transaction settled. Reading streams the chunks one at a time.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Engine } from './engine.js';
import type { BlobSource, BlobStore, GarbageReport, WrittenBlob } from './blobStore.js';
import { contentChunk, contentsMissing, deleteUnnamedContent, unnamedContents } from './blobContents.js';
import { collectTemps, folderFor, hashing, storeError } from './blobs.js';

export function databaseStore(engine: Pick<Engine, 'transaction'>, spoolDir: string): BlobStore {
  return {
    kind: 'database',
    where: 'the database',
    localDir: spoolDir,
    write: (source) => spool(spoolDir, source),
    release: async (written) => {
      const freed = { files: 0, bytes: 0 };
      for (const w of written) {
        if (w.spool === null) continue;
        await fs.promises.rm(w.spool, { force: true });
        freed.files += 1;
        freed.bytes += w.size;
      }
      return freed;
    },
    source: (sha256, size): BlobSource => ({ content: chunks(engine, sha256, size) }),
    missing: (tx, shas) => contentsMissing(tx, shas),
    collectGarbage: async (graceMs, now = Date.now()): Promise<GarbageReport> => {
      const report: GarbageReport = { orphans: 0, temps: 0, bytes: 0 };
      const temps = collectTemps(spoolDir, graceMs, now);
      report.temps = temps.files;
      report.bytes = temps.bytes;
      const candidates = await engine.transaction((tx) => unnamedContents(tx, now - graceMs), 'read');
      for (const sha of candidates) {
        // One short transaction per content: the collector never holds many locks at once.
        const freed = await engine.transaction((tx) => deleteUnnamedContent(tx, sha));
        if (freed === null) continue;
        report.orphans += 1;
        report.bytes += freed;
      }
      return report;
    },
  };
}

/** Streams `source` into a new spool file, hashing it; the file is the caller's until `release`. */
async function spool(spoolDir: string, source: Readable): Promise<WrittenBlob> {
  const file = path.join(spoolDir, `${process.pid}-${crypto.randomBytes(12).toString('hex')}`);
  const hasher = hashing();
  try {
    await folderFor(source, spoolDir, 0o700);
    // No fsync: the bytes become durable in the database's transaction, not in this file.
    await pipeline(source, hasher, fs.createWriteStream(file, { flags: 'wx' }));
    return { sha256: hasher.sha256(), size: hasher.size(), spool: file };
  } catch (err) {
    await fs.promises.rm(file, { force: true }).catch(() => undefined);
    throw storeError(err, spoolDir);
  }
}

/** The chunks of a content, each read in a short transaction of its own when the consumer asks for more. */
function chunks(engine: Pick<Engine, 'transaction'>, sha256: string, size: number): Readable {
  let seq = 0;
  let read = 0;
  return new Readable({
    // One chunk is asked for at a time: at most a chunk or two in memory.
    highWaterMark: 1,
    read() {
      engine
        .transaction((tx) => contentChunk(tx, sha256, seq), 'read')
        .then((data) => {
          if (data === undefined) {
            if (read !== size) throw new Error(`attachment content ${sha256} in the database has ${read} bytes, not ${size}; it is incomplete or gone`);
            this.push(null);
            return;
          }
          seq += 1;
          read += data.length;
          this.push(data);
        })
        .catch((err: unknown) => this.destroy(err as Error));
    },
  });
}
