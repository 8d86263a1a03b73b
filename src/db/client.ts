// Opening the database: the engine chosen by the location (a `postgres://` or `postgresql://` URL is
// PostgreSQL, anything else a SQLite file path), migrated, with the blob folder of its attachment
// contents (src/db/blobStore.ts: a folder, or PostgreSQL's own table). Only src/db/ writes SQL; everything else runs its work in `db.transaction(work)` and
// hands the `tx` to the table functions.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, NoDatabaseError } from '../errors.js';
import type { BlobStore } from './blobStore.js';
import { databaseStore } from './blobsInDb.js';
import { folderStore } from './blobsInFolder.js';
import type { Dialect, Engine, Tx, TxMode } from './engine.js';
import { openSqlite } from './engines/sqlite.js';
import type { Listener, ListenOptions } from './engines/postgresListen.js';

export { bool } from './engine.js';
export type { Tx, TxMode } from './engine.js';
export type { Listener, ListenOptions } from './engines/postgresListen.js';
export { createCommitter, type Committer } from './commit.js';

/** The database handle: the engine, and the store of attachment contents. */
export interface Db {
  readonly dialect: Dialect;
  /** Where the data lives, safe to print: the SQLite file, or the URL with its password masked. */
  readonly location: string;
  /**
   * Attachment contents: files in `blobDir` (default `blobs/` beside a SQLite file); with PostgreSQL
   * the database itself unless `blobDir` was given.
   */
  readonly blobs: BlobStore;
  /** Runs `work` in a transaction of its own (see Engine.transaction); `write` unless told. */
  transaction<T>(work: (tx: Tx) => Promise<T>, mode?: TxMode): Promise<T>;
  /** Waits for running transactions, then closes every connection. */
  close(): Promise<void>;
  /**
   * PostgreSQL only (absent on SQLite, where one process writes): calls `onNotify` for every NOTIFY
   * on `channel`, on a connection of its own that reconnects by itself (see engines/postgres.ts).
   */
  listen?(channel: string, onNotify: (payload: string) => void, options?: ListenOptions): Promise<Listener>;
}

export interface OpenOptions {
  /**
   * Folder of attachment contents (CASEGATE_BLOB_DIR): must be writable. Default: `blobs/` beside the
   * SQLite file; with PostgreSQL, none (contents in the database).
   */
  readonly blobDir?: string;
  /** PostgreSQL without `blobDir`: local folder attachments stream to while a message is read (default in the system's temp folder). */
  readonly spoolDir?: string;
  /**
   * Refuse a database that does not exist (NoDatabaseError: no SQLite file, nothing made; a
   * PostgreSQL database without casegate's tables) instead of creating it. Every command but `init`.
   */
  readonly mustExist?: boolean;
  /** SQLite: how long a writer waits for another process's write lock (default 10 s). */
  readonly busyTimeoutMs?: number;
  /** SQLite: page cache of this connection, MiB (default 16). */
  readonly cacheMiB?: number;
  /** SQLite: checkpoint the WAL on a thread of its own, not in this connection's commits (serve; src/db/engines/checkpointer.ts). */
  readonly checkpointThread?: boolean;
  /** Told of PostgreSQL failures nobody awaits (an idle connection lost), e.g. to log them. */
  readonly onError?: (err: Error) => void;
}

/**
 * How a gateway (`serve`, and the bench's server child) opens its database on top of the rest:
 * SQLite's WAL checkpointed on a thread of its own, off the thread that answers sockets
 * (src/db/engines/checkpointer.ts). Commands that run once checkpoint as SQLite does.
 */
export const GATEWAY_OPEN: Pick<OpenOptions, 'checkpointThread'> = { checkpointThread: true };

/** True for a PostgreSQL URL, which `--db` and CASEGATE_DB may give instead of a SQLite file. */
export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location.trim());

/** Opens and migrates the database at `location`; "unavailable" when it cannot be opened or reached. */
export async function openDb(location: string, options: OpenOptions = {}): Promise<Db> {
  if (isPostgresUrl(location)) {
    // Loaded only for PostgreSQL: SQLite users never load pg.
    const { openPostgres } = await import('./engines/postgres.js');
    // A failure nobody awaits (an idle connection lost) is said on stderr; the pool heals by itself.
    const onError = options.onError ?? ((err: Error) => console.error(`casegate: ${err.message}`));
    const engine = await openPostgres(location.trim(), { onError, mustExist: options.mustExist });
    try {
      const blobs =
        options.blobDir === undefined
          ? databaseStore(engine, path.resolve(options.spoolDir ?? defaultSpoolDir()))
          : folderStore(engine, writableFolder(options.blobDir));
      return { ...withBlobs(engine, blobs), listen: (channel, onNotify, listenOptions) => engine.listen(channel, onNotify, listenOptions) };
    } catch (err) {
      await engine.close();
      throw err;
    }
  }
  if (options.mustExist === true && !fs.existsSync(location)) throw new NoDatabaseError(location);
  const blobDir = options.blobDir === undefined ? path.join(path.dirname(path.resolve(location)), 'blobs') : writableFolder(options.blobDir);
  const engine = await openSqlite(location, { busyTimeoutMs: options.busyTimeoutMs, cacheMiB: options.cacheMiB, checkpointThread: options.checkpointThread });
  return withBlobs(engine, folderStore(engine, blobDir));
}

/** The spool of the database store: one folder per user in the system's temp folder. */
const defaultSpoolDir = (): string => path.join(os.tmpdir(), `casegate-spool-${process.getuid?.() ?? 'user'}`);

/** CASEGATE_BLOB_DIR, made if it is not there and checked to be writable: a clear error at start, not at the first attachment. */
function writableFolder(dir: string): string {
  const resolved = path.resolve(dir);
  try {
    fs.mkdirSync(resolved, { recursive: true });
    fs.accessSync(resolved, fs.constants.W_OK);
    return resolved;
  } catch (err) {
    throw new ConfigError([
      `CASEGATE_BLOB_DIR ${resolved} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ` +
        'give a folder this user may write (with PostgreSQL, one every node mounts), or leave it unset',
    ]);
  }
}

function withBlobs(engine: Engine, blobs: BlobStore): Db {
  return {
    dialect: engine.dialect,
    location: engine.location,
    blobs,
    transaction: (work, mode) => engine.transaction(work, mode),
    close: () => engine.close(),
  };
}

/**
 * Whether an error (or one it was caused by) is a wait for another writer's lock that ran out: SQLite's
 * SQLITE_BUSY/SQLITE_LOCKED after busy_timeout, PostgreSQL's lock_not_available (55P03). Another write
 * attempted at once would only wait as long again.
 */
export function isLockTimeout(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e != null && typeof e === 'object' && depth < 8; e = e.cause as typeof e, depth += 1) {
    if (typeof e.code === 'string' && /^(SQLITE_BUSY|SQLITE_LOCKED)(_[A-Z]+)?$|^55P03$/.test(e.code)) return true;
  }
  return false;
}

/** Asks the database a trivial question in a read transaction: resolves when it answers (readiness). */
export async function pingDb(db: Pick<Db, 'transaction'>): Promise<void> {
  await db.transaction((tx) => tx.get('SELECT 1 AS one'), 'read');
}
