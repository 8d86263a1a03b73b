// Opening the database: the engine chosen by the location (a `postgres://` or `postgresql://` URL is
// PostgreSQL, anything else a SQLite file path), migrated, with the blob folder of its attachment
// contents. Only src/db/ writes SQL; everything else runs its work in `db.transaction(work)` and
// hands the `tx` to the table functions.
import path from 'node:path';
import type { Dialect, Engine, Tx, TxMode } from './engine.js';
import { openSqlite } from './engines/sqlite.js';

export { bool } from './engine.js';
export type { Tx, TxMode } from './engine.js';
export { createCommitter, type Committer } from './commit.js';

/** The database handle: the engine, and the folder of attachment contents. */
export interface Db {
  readonly dialect: Dialect;
  /** Where the data lives, safe to print: the SQLite file, or the URL with its password masked. */
  readonly location: string;
  /** Folder of attachment contents: `blobs/` beside a SQLite file; for PostgreSQL `blobDir` as opened (default ./data/blobs). */
  readonly blobDir: string;
  /** Runs `work` in a transaction of its own (see Engine.transaction); `write` unless told. */
  transaction<T>(work: (tx: Tx) => Promise<T>, mode?: TxMode): Promise<T>;
  /** Waits for running transactions, then closes every connection. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Folder of attachment contents; default beside the SQLite file, or ./data/blobs with PostgreSQL. */
  readonly blobDir?: string;
  /** SQLite: how long a writer waits for another process's write lock (default 10 s). */
  readonly busyTimeoutMs?: number;
  /** Told of PostgreSQL failures nobody awaits (an idle connection lost), e.g. to log them. */
  readonly onError?: (err: Error) => void;
}

/** True for a PostgreSQL URL, which `--db` and CASEGATE_DB may give instead of a SQLite file. */
export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location.trim());

/** Opens and migrates the database at `location`; "unavailable" when it cannot be opened or reached. */
export async function openDb(location: string, options: OpenOptions = {}): Promise<Db> {
  if (isPostgresUrl(location)) {
    // Loaded only for PostgreSQL: SQLite users never load pg.
    const { openPostgres } = await import('./engines/postgres.js');
    // A failure nobody awaits (an idle connection lost) is said on stderr; the pool heals by itself.
    const onError = options.onError ?? ((err: Error) => console.error(`casegate: ${err.message}`));
    const engine = await openPostgres(location.trim(), { onError });
    return withBlobs(engine, path.resolve(options.blobDir ?? path.join('data', 'blobs')));
  }
  const engine = openSqlite(location, { busyTimeoutMs: options.busyTimeoutMs });
  return withBlobs(engine, options.blobDir ?? path.join(path.dirname(path.resolve(location)), 'blobs'));
}

function withBlobs(engine: Engine, blobDir: string): Db {
  return {
    dialect: engine.dialect,
    location: engine.location,
    blobDir,
    transaction: (work, mode) => engine.transaction(work, mode),
    close: () => engine.close(),
  };
}

/** Asks the database a trivial question in a read transaction: resolves when it answers (readiness). */
export async function pingDb(db: Pick<Db, 'transaction'>): Promise<void> {
  await db.transaction((tx) => tx.get('SELECT 1 AS one'), 'read');
}
