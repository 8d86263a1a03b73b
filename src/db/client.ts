// Opening the database: the pragmas every connection needs, then any pending migrations.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';
import { unavailable } from '../errors.js';

export type Orm = BetterSQLite3Database<typeof schema>;

export interface Db {
  /** drizzle over the connection. */
  readonly orm: Orm;
  /** The raw connection, for prepared statements on hot paths and for transactions. */
  readonly sqlite: Database.Database;
  /** Folder of attachment contents, `blobs/` beside the database file. */
  readonly blobDir: string;
  readonly file: string;
  close(): void;
}

/** Folder holding `migrations/`, found by walking up from this file (works from src/ and dist/). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'migrations', 'meta', '_journal.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the migrations/ folder of casegate');
    dir = parent;
  }
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
  const db = drizzle(sqlite, { schema });
  try {
    migrate(db, { migrationsFolder: path.join(packageRoot(), 'migrations') });
  } catch (err) {
    sqlite.close();
    throw unavailable(`cannot migrate database ${file}: ${(err as Error).message}; is it a casegate database?`);
  }
  const blobDir = path.join(path.dirname(path.resolve(file)), 'blobs');
  return {
    orm: db,
    sqlite,
    blobDir,
    file,
    close: () => sqlite.close(),
  };
}

/** Memoises per-connection prepared statements: `const statementsOf = statementCache((db) => ({ … }))`. */
export function statementCache<T>(prepare: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let statements = cache.get(db);
    if (statements === undefined) {
      statements = prepare(db);
      cache.set(db, statements);
    }
    return statements;
  };
}
