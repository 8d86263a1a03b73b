// Opening the database (the pragmas every connection needs, then any pending migrations) and the
// one statement cache every table module prepares its SQL through. Only src/db/ writes SQL.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { unavailable } from '../errors.js';
import type { Dialect } from './engine.js';

/** The database handle: one SQLite connection, and the blob folder beside its file. */
export interface Db {
  /** The raw connection; table modules prepare statements on it through `statement()`. */
  readonly sqlite: Database.Database;
  /** Folder of attachment contents, `blobs/` beside the database file. */
  readonly blobDir: string;
  readonly file: string;
  close(): void;
}

/**
 * Folder holding `migrations/` (one folder per dialect, sqlite/ and postgres/), found by walking up
 * from this file (works from src/ and dist/).
 */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'migrations', 'sqlite', 'meta', '_journal.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the migrations/ folder of casegate');
    dir = parent;
  }
}

/** The drizzle-kit output of one dialect: `migrations/sqlite` or `migrations/postgres`. */
export function migrationsFolder(dialect: Dialect): string {
  return path.join(packageRoot(), 'migrations', dialect);
}

export function openDb(file: string): Db {
  let sqlite: Database.Database;
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    sqlite = new Database(file);
    sqlite.pragma('journal_mode = WAL');
  } catch (err) {
    throw unavailable(
      `cannot open database ${file}: ${(err as Error).message}; give a writable file with --db or CASEGATE_DB`,
    );
  }
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  // 16 MiB of page cache (the default is 2 MiB): the hot index pages of a large database stay in memory.
  sqlite.pragma('cache_size = -16384');
  try {
    migrate(drizzle(sqlite), { migrationsFolder: migrationsFolder('sqlite') });
  } catch (err) {
    sqlite.close();
    throw unavailable(`cannot migrate database ${file}: ${(err as Error).message}; is it a casegate database?`);
  }
  const blobDir = path.join(path.dirname(path.resolve(file)), 'blobs');
  return { sqlite, blobDir, file, close: () => sqlite.close() };
}

type Statement<P extends unknown[], R> = Database.Statement<P, R>;
const cache = new WeakMap<Database.Database, Map<string, Statement<unknown[], unknown>>>();

/** The one statement cache: each SQL text is prepared once per connection, then reused. */
export function statement<P extends unknown[] = unknown[], R = unknown>(db: Db, sql: string): Statement<P, R> {
  let statements = cache.get(db.sqlite);
  if (statements === undefined) {
    statements = new Map();
    cache.set(db.sqlite, statements);
  }
  let s = statements.get(sql);
  if (s === undefined) {
    s = db.sqlite.prepare(sql);
    statements.set(sql, s);
  }
  return s as unknown as Statement<P, R>;
}

/**
 * Runs `work` in a transaction; inside one already (the message's, a caller's), it simply runs as
 * part of it, and an error it throws undoes the whole enclosing transaction. Writers start
 * `immediate` (the default): the write lock is taken at BEGIN, where SQLite waits `busy_timeout`
 * for another process's writer. A deferred transaction that reads and then writes cannot wait there
 * (SQLite answers SQLITE_BUSY at once rather than deadlock), so with several processes on one
 * database (`serve`, `dispatch`, the CLI) it failed under load. `deferred` is for read-only work.
 */
export function transaction<T>(db: Db, work: () => T, mode: 'deferred' | 'immediate' = 'immediate'): T {
  if (db.sqlite.inTransaction) return work();
  const tx = db.sqlite.transaction(work);
  return mode === 'immediate' ? tx.immediate() : tx();
}

/** SQLite has no boolean: 0/1 in, 0/1 out. */
export const bool = (value: unknown): boolean => value === 1 || value === true;

/**
 * Runs `work` in a savepoint and keeps what it wrote only when `keep(result)` says so; otherwise
 * the savepoint is rolled back and the result is still returned. An error rolls back and is thrown.
 */
export function tentatively<T>(db: Db, work: () => T, keep: (result: T) => boolean): { result: T; kept: boolean } {
  const name = 'tentative';
  db.sqlite.exec(`SAVEPOINT ${name}`);
  let result: T;
  try {
    result = work();
  } catch (err) {
    db.sqlite.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
    throw err;
  }
  const kept = keep(result);
  db.sqlite.exec(kept ? `RELEASE ${name}` : `ROLLBACK TO ${name}; RELEASE ${name}`);
  return { result, kept };
}
