// The SQLite engine (better-sqlite3), the embedded default: one connection with the pragmas every
// connection needs, each SQL text prepared once and reused. better-sqlite3 is synchronous and the
// connection is one, so transactions run one after another in the order they were asked for (a
// FIFO lock): two transactions interleaving on one connection would see each other's writes.
// `write` is BEGIN IMMEDIATE: the write lock is taken at the start, where SQLite waits busy_timeout
// for another process's writer, instead of failing halfway when a read would be upgraded (SQLite
// answers SQLITE_BUSY at once there rather than deadlock). `read` is a deferred BEGIN.
//
// Durability: a write transaction resolves only once its commit is on disk, as with SQLite's
// `synchronous = FULL`, but the wait is not on the one thread that answers sockets. The connection
// runs `synchronous = NORMAL` (COMMIT writes the transaction's frames to the WAL file, no fsync) and
// the engine then fdatasyncs the WAL file on libuv's pool before it resolves; the next transaction
// starts meanwhile. The WAL is written in commit order and SQLite syncs it before every checkpoint,
// so a sync that starts after a commit covers it and every commit before it. A transaction that
// read another's rows before that one's sync resolves only after its own sync, which covers both.
// A failed sync rejects the transaction (the caller answers a temporary failure; a retry of the same
// mail meets the duplicate rule). Rows are visible to readers in the ~1 ms before they are durable:
// a power cut then can take back rows that a read already showed, never an acknowledged message.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { unavailable } from '../../errors.js';
import type { Engine, Params, RunResult, Tx, TxMode } from '../engine.js';
import { migrationsFolder, migrationsPending } from '../migrations.js';
import { startCheckpointer } from './checkpointer.js';

export interface SqliteEngine extends Engine {
  readonly dialect: 'sqlite';
  /** The database file. */
  readonly file: string;
}

type Statement = Database.Statement<unknown[], unknown>;

export interface SqliteOptions {
  /** How long a writer waits for another process's write lock before SQLITE_BUSY (default 10,000 ms). */
  readonly busyTimeoutMs?: number;
  /** Page cache, MiB (default 16). */
  readonly cacheMiB?: number;
  /** Checkpoint the WAL on a thread of its own (checkpointer.ts), not in this connection's commits: serve. */
  readonly checkpointThread?: boolean;
}

/** Opens (creating when missing) and migrates the SQLite database in `file`. */
export async function openSqlite(file: string, options: SqliteOptions = {}): Promise<SqliteEngine> {
  let sqlite: Database.Database;
  let walMode = false;
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    sqlite = new Database(file);
    walMode = sqlite.pragma('journal_mode = WAL', { simple: true }) === 'wal';
  } catch (err) {
    throw unavailable(`cannot open database ${file}: ${(err as Error).message}; give a writable file with --db or CASEGATE_DB`);
  }
  // Durable all the same: the engine syncs the WAL after each write transaction (see the top). A
  // file system without WAL support keeps the rollback journal, and SQLite's own sync at COMMIT.
  sqlite.pragma(walMode ? 'synchronous = NORMAL' : 'synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 10_000))}`);
  // 16 MiB of page cache (the default is 2 MiB): the hot index pages of a large database stay in memory.
  sqlite.pragma(`cache_size = -${Math.max(1, Math.floor((options.cacheMiB ?? 16) * 1024))}`);
  try {
    if (migrationsPending('sqlite', appliedMigration(sqlite))) {
      // drizzle is loaded only when a migration is due: most commands open an up-to-date database.
      const [{ drizzle }, { migrate }] = await Promise.all([import('drizzle-orm/better-sqlite3'), import('drizzle-orm/better-sqlite3/migrator')]);
      migrate(drizzle(sqlite), { migrationsFolder: migrationsFolder('sqlite') });
    }
  } catch (err) {
    sqlite.close();
    throw unavailable(`cannot migrate database ${file}: ${(err as Error).message}; is it a casegate database?`);
  }
  // Statement journals in memory. A savepoint (one per message of a group commit) keeps the pages it
  // changes in a statement journal, which SQLite spills to a temporary file past 64 KiB: a group of
  // replies did that every time, some 33 extra writes per message and a file made and unlinked per
  // commit, 12 % of the main thread's CPU in serve (bench/README.md). In memory it is the pages one
  // transaction changed, and gone at its end. Temporary b-trees of a sort live there too: ours sort
  // rows that the statement returns in full anyway. Set after the migrations, whose index builds
  // may sort a whole table.
  sqlite.pragma('temp_store = MEMORY');
  return sqliteEngine(sqlite, file, walMode, walMode && options.checkpointThread === true);
}

/** drizzle's record of the newest migration applied (null on a new database). */
function appliedMigration(sqlite: Database.Database): number | null {
  const table = sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'`).get();
  if (table === undefined) return null;
  const row = sqlite.prepare('SELECT max(created_at) AS applied FROM "__drizzle_migrations"').get() as { applied: number | null };
  return row.applied;
}

function sqliteEngine(sqlite: Database.Database, file: string, walMode: boolean, checkpointThread: boolean): SqliteEngine {
  const statements = new Map<string, Statement>();
  /** The one statement cache: each SQL text is prepared once on this connection, then reused. */
  const prepared = (sql: string): Statement => {
    let s = statements.get(sql);
    if (s === undefined) {
      s = sqlite.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  const BEGIN: Record<TxMode, Statement> = { write: sqlite.prepare('BEGIN IMMEDIATE'), read: sqlite.prepare('BEGIN') };
  const COMMIT = sqlite.prepare('COMMIT');
  const ROLLBACK = sqlite.prepare('ROLLBACK');

  // The FIFO lock: `busy` while a transaction runs; the next ones wait in `waiting`, in order.
  let busy = false;
  const waiting: Array<() => void> = [];
  let closed = false;
  let idle: (() => void) | null = null;

  const acquire = (): Promise<void> | undefined => {
    if (!busy) {
      busy = true;
      return undefined;
    }
    return new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next !== undefined) next();
    else {
      busy = false;
      idle?.();
    }
  };

  const wal = walMode ? createWalSync(`${file}-wal`) : null;
  const checkpointer = checkpointThread ? startCheckpointer(file, sqlite) : null;

  async function transaction<T>(work: (tx: Tx) => Promise<T>, mode: TxMode = 'write'): Promise<T> {
    if (closed) throw new Error(`the SQLite database ${file} is closed`);
    const wait = acquire();
    if (wait !== undefined) await wait;
    const tx = transactionOn(sqlite, prepared);
    let result: T;
    try {
      BEGIN[mode].run();
      try {
        result = await work(tx.tx);
      } catch (err) {
        // SQLite may have rolled back by itself already (a full disk, for one).
        if (sqlite.inTransaction) ROLLBACK.run();
        throw err;
      }
      COMMIT.run();
    } finally {
      tx.finish();
      release();
    }
    if (mode === 'write' && wal !== null) await wal.sync();
    return result;
  }

  return {
    dialect: 'sqlite',
    location: file,
    file,
    transaction,
    async close() {
      if (closed) return;
      closed = true;
      if (busy) await new Promise<void>((resolve) => (idle = resolve));
      await checkpointer?.stop();
      await wal?.close();
      sqlite.close();
    },
  };
}

/** Makes what was committed to a WAL file durable, off the main thread (see the top of this file). */
interface WalSync {
  /** Resolves once every commit written before the call is on disk; rejects when the sync fails. */
  sync(): Promise<void>;
  /** Waits for the syncs under way, then closes the file. */
  close(): Promise<void>;
}

function createWalSync(walFile: string): WalSync {
  const datasync = (fd: number): Promise<void> => new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  /** The WAL file, opened at the first sync: the first commit made it. It lives as long as this
   * connection (SQLite removes it only when the last connection to the database closes). */
  let opened: Promise<number> | null = null;
  const open = async (): Promise<number> => {
    const fd = fs.openSync(walFile, 'r');
    // The file may be new: its name is made durable too, once (as SQLite does for a journal it makes).
    const folder = fs.openSync(path.dirname(walFile), 'r');
    try {
      await datasync(folder);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    } finally {
      fs.closeSync(folder);
    }
    return fd;
  };
  const running = new Set<Promise<void>>();
  return {
    sync() {
      const done = (async () => {
        try {
          if (opened === null) {
            const opening = open();
            opened = opening;
            opening.catch(() => {
              if (opened === opening) opened = null; // the next sync tries again
            });
          }
          await datasync(await opened);
        } catch (err) {
          throw unavailable(`the commit to ${walFile} could not be made durable: ${(err as Error).message}; nothing was acknowledged, try again`);
        }
      })();
      running.add(done);
      const forget = (): void => void running.delete(done);
      done.then(forget, forget);
      return done;
    },
    async close() {
      await Promise.allSettled([...running]);
      const fd = opened === null ? null : await opened.catch(() => null);
      opened = null;
      if (fd !== null) fs.closeSync(fd);
    },
  };
}

/** A `Tx` on the connection; `finish()` makes later use an error (a tx lives only as long as its work). */
function transactionOn(sqlite: Database.Database, prepared: (sql: string) => Statement): { tx: Tx; finish(): void } {
  let open = true;
  let depth = 0;
  const statement = (sql: string): Statement => {
    if (!open) throw new Error('this transaction is over: use the tx only inside its work');
    return prepared(sql);
  };
  const tx: Tx = {
    dialect: 'sqlite',
    all: async <R>(sql: string, params: Params = []) => statement(sql).all(...params) as R[],
    get: async <R>(sql: string, params: Params = []) => statement(sql).get(...params) as R | undefined,
    run: async (sql: string, params: Params = []): Promise<RunResult> => ({ changes: statement(sql).run(...params).changes }),
    insert: async (sql: string, params: Params = []) => Number(statement(sql).run(...params).lastInsertRowid),
    async savepoint<T>(work: (tx: Tx) => Promise<T>, keep?: (result: T) => boolean) {
      depth += 1;
      const name = `sp_${depth}`;
      statement(`SAVEPOINT ${name}`).run();
      try {
        let result: T;
        try {
          result = await work(tx);
        } catch (err) {
          if (sqlite.inTransaction) {
            prepared(`ROLLBACK TO ${name}`).run();
            prepared(`RELEASE ${name}`).run();
          }
          throw err;
        }
        const kept = keep === undefined || keep(result);
        if (!kept) statement(`ROLLBACK TO ${name}`).run();
        statement(`RELEASE ${name}`).run();
        return { result, kept };
      } finally {
        depth -= 1;
      }
    },
  };
  return {
    tx,
    finish: () => {
      open = false;
    },
  };
}
