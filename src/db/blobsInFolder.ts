// The folder blob store (SQLite always; PostgreSQL when CASEGATE_BLOB_DIR names a folder every node
// mounts): the content-addressed files of src/db/blobs.ts, as they always were. A content is in
// place once written; the message's transaction records only its rows.
import fs from 'node:fs';
import type { Engine } from './engine.js';
import { storedBlobs } from './attachments.js';
import type { BlobStore } from './blobStore.js';
import { blobPath, collectGarbage, releaseBlobs, writeBlob } from './blobs.js';

/** Writing into a blob folder alone (what parsing needs), for tools and tests without a database. */
export const folderWriter = (blobDir: string): Pick<BlobStore, 'write'> => ({
  write: async (source) => {
    const { sha256, size } = await writeBlob(blobDir, source);
    return { sha256, size, spool: null };
  },
});

export function folderStore(engine: Pick<Engine, 'transaction'>, blobDir: string): BlobStore {
  const storedOf = (shas: readonly string[]): Promise<Set<string>> => engine.transaction((tx) => storedBlobs(tx, shas), 'read');
  return {
    kind: 'folder',
    where: blobDir,
    localDir: blobDir,
    write: folderWriter(blobDir).write,
    release: (written) =>
      releaseBlobs(
        blobDir,
        written.map((w) => w.sha256),
        storedOf,
      ),
    // nodemailer reads the file when it sends: no bytes pass through here.
    source: (sha256) => ({ path: blobPath(blobDir, sha256) }),
    missing: async (_tx, shas) => shas.filter((sha) => !fs.existsSync(blobPath(blobDir, sha))),
    collectGarbage: (graceMs, now) => collectGarbage(blobDir, storedOf, graceMs, now),
  };
}
