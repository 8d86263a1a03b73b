// The engine the tests run on: SQLite (a file in the test's temp folder) by default, or, with
// CASEGATE_TEST_ENGINE=postgres, a fresh database of the run's throwaway PostgreSQL (started once
// by test/helpers/postgresSetup.ts). Attachment contents: on SQLite in the test's temp folder
// (`blobs/` beside the file); on PostgreSQL in the database, as by default (the spool of a handle
// opened here in the test's folder), or with CASEGATE_TEST_BLOBS=folder in the test's `blobs/`.
import path from 'node:path';
import Database from 'better-sqlite3';
import { inject } from 'vitest';
import { openDb, type Db, type Tx } from '../../src/db/client.js';
import { openPostgres } from '../../src/db/engines/postgres.js';
import { sharedCluster, withClient } from './postgresCluster.js';
import './postgres.js';

export type TestEngine = 'sqlite' | 'postgres';

export const engine: TestEngine = process.env.CASEGATE_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
/** The suite runs on PostgreSQL: tests of what only SQLite has say so with `skipIf(onPostgres)`. */
export const onPostgres = engine === 'postgres';

/** The test folder of each PostgreSQL database made here: its attachment contents go to `folder/blobs`. */
const folders = new Map<string, string>();

/** A new, migrated database for a test: `dir/casegate.db`, or (PostgreSQL) a new database's URL. */
export async function newDatabase(dir: string): Promise<string> {
  if (!onPostgres) return path.join(dir, 'casegate.db');
  const admin = inject('postgresAdminUrl');
  if (!admin) throw new Error('CASEGATE_TEST_ENGINE=postgres but no PostgreSQL was started for this run (vitest globalSetup test/helpers/postgresSetup.ts)');
  const url = await sharedCluster(admin).createDatabase();
  folders.set(url, dir);
  return url;
}

/** PostgreSQL tests keep attachment contents in the database unless CASEGATE_TEST_BLOBS=folder. */
export const blobsInDatabase = onPostgres && process.env.CASEGATE_TEST_BLOBS !== 'folder';

/** The settings a `casegate` process needs to use the test's blob store. */
export function engineEnv(dir: string): Record<string, string> {
  return onPostgres && !blobsInDatabase ? { CASEGATE_BLOB_DIR: path.join(dir, 'blobs') } : {};
}

/** engineEnv of the folder a database was made for (none for a SQLite file: its blobs sit beside it). */
export function engineEnvOf(location: string | undefined): Record<string, string> {
  const dir = location === undefined ? undefined : folders.get(location);
  return dir === undefined ? {} : engineEnv(dir);
}

/** Opens `location` as the product does, attachment contents in `dir/blobs` or the database (spooled in `dir/spool`). */
export function openTestDb(location: string, dir: string, options: { busyTimeoutMs?: number } = {}): Promise<Db> {
  if (blobsInDatabase) return openDb(location, { ...options, spoolDir: path.join(dir, 'spool') });
  return openDb(location, { ...options, blobDir: path.join(dir, 'blobs') });
}

/** Every table's rows, keyed by table name: what "nothing was written" compares. */
export type DbFingerprint = Record<string, unknown[]>;

/**
 * Every row of every table (SQLite: sqlite_sequence and the migrations journal included; PostgreSQL:
 * the tables of the public schema and the migrations journal, rows in a stable order).
 */
export async function dbFingerprint(location: string): Promise<DbFingerprint> {
  if (!location.startsWith('postgres')) {
    const sqlite = new Database(location, { fileMustExist: true });
    try {
      const tables = sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as Array<{ name: string }>;
      const out: DbFingerprint = {};
      for (const { name } of tables) out[name] = sqlite.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}" ORDER BY rowid`).all();
      return out;
    } finally {
      sqlite.close();
    }
  }
  return withClient(location, async (c) => {
    const tables = await c.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_schema IN ('public', 'drizzle') AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
    );
    const out: DbFingerprint = {};
    for (const { schema, name } of tables.rows) {
      const rows = (await c.query(`SELECT * FROM "${schema}"."${name}"`)).rows;
      out[name] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return out;
  });
}

/**
 * A copy of `from` for the test in `dir`, where `to` was: the SQLite file copied over `to`, or a new
 * PostgreSQL database made from `from` (nobody may be connected to it), whose URL is returned.
 */
export async function copyDatabase(from: string, to: string, dir: string, copyFile: (from: string, to: string) => void): Promise<string> {
  if (!from.startsWith('postgres')) {
    copyFile(from, to);
    return to;
  }
  const url = new URL(from);
  const name = `${url.pathname.slice(1)}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new URL(from);
  admin.pathname = '/postgres';
  // A new database rather than the old one dropped: DROP DATABASE waits for a checkpoint. FILE_COPY
  // copies the template's few files (48 ms against 86 ms for WAL_LOG, PostgreSQL 15's default).
  await withClient(admin.toString(), (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${url.pathname.slice(1)}" STRATEGY FILE_COPY`));
  url.pathname = `/${name}`;
  folders.set(url.toString(), dir);
  return url.toString();
}

/** Rows of a query, read back for assertions (a read transaction of its own). */
export function query<R = Record<string, unknown>>(db: Db, sql: string, params: readonly unknown[] = []): Promise<R[]> {
  return db.transaction((tx) => tx.all<R>(sql, params), 'read');
}

/**
 * Runs one service or table function of src/ in a write transaction of its own, as an entry point
 * does: `await inTx(db, claimDue, 'one', now, 10, LEASE)`.
 */
export function inTx<A extends unknown[], R>(db: Db, fn: (tx: Tx, ...args: A) => Promise<R>, ...args: A): Promise<R> {
  return db.transaction((tx) => fn(tx, ...args));
}

/** Runs one statement in a write transaction of its own (a test that breaks or changes rows on purpose). */
export async function execSql(db: Db, sql: string, params: readonly unknown[] = []): Promise<number> {
  return (await db.transaction((tx) => tx.run(sql, params))).changes;
}

/**
 * Rows of a query on the database at `location` (a SQLite file or a PostgreSQL URL), from a
 * connection of its own: a test that reads (or, with `write`, changes) what `casegate` processes wrote.
 */
export async function queryAt<R = Record<string, unknown>>(location: string, sql: string, params: readonly unknown[] = []): Promise<R[]> {
  if (location.startsWith('postgres')) {
    const engine = await openPostgres(location, { poolSize: 1, migrate: false });
    try {
      return await engine.transaction((tx) => tx.all<R>(sql, params));
    } finally {
      await engine.close();
    }
  }
  const sqlite = new Database(location);
  try {
    const s = sqlite.prepare(sql);
    if (s.reader) return s.all(...params) as R[];
    s.run(...params);
    return [];
  } finally {
    sqlite.close();
  }
}
