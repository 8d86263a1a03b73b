// The SQLite engine: one connection, so transactions run one after another in the order asked
// (a FIFO lock), even when their work awaits; savepoints keep or undo their part; an error undoes
// the whole transaction; a write is answered only once its WAL sync (off the main thread) is done.
// SQLite only: the PostgreSQL engine has its own test.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isLockTimeout } from '../../src/db/client.js';
import { openSqlite, type SqliteEngine } from '../../src/db/engines/sqlite.js';
import { tempDir, type TempDir } from '../helpers/tempDir.js';

let dir: TempDir;
let engine: SqliteEngine;
beforeEach(async () => {
  dir = tempDir('sqlite-engine');
  engine = await openSqlite(path.join(dir.dir, 'casegate.db'));
});
afterEach(async () => {
  await engine.close();
  dir.cleanup();
});

const names = (tx: Parameters<Parameters<SqliteEngine['transaction']>[0]>[0]) =>
  tx.all<{ name: string }>('SELECT name FROM accounts ORDER BY id').then((rows) => rows.map((r) => r.name));
const insert = (tx: Parameters<Parameters<SqliteEngine['transaction']>[0]>[0], name: string) =>
  tx.run('INSERT INTO accounts (name, created_at) VALUES (?, ?)', [name, Date.now()]);

describe('transactions on the one connection', () => {
  it('run one after another in the order asked, even when the first awaits in the middle', async () => {
    const order: string[] = [];
    const first = engine.transaction(async (tx) => {
      order.push('first begins');
      await insert(tx, 'Acme');
      await sleep(30);
      order.push('first ends');
    });
    const second = engine.transaction(async (tx) => {
      order.push('second begins');
      return names(tx);
    }, 'read');
    const third = engine.transaction(async () => {
      order.push('third');
    });
    await Promise.all([first, second, third]);
    expect(order).toEqual(['first begins', 'first ends', 'second begins', 'third']);
    // The second saw the first committed, never half of it.
    expect(await second).toEqual(['Acme']);
  });

  it('an error rolls the whole transaction back and is thrown; the next one runs', async () => {
    await expect(
      engine.transaction(async (tx) => {
        await insert(tx, 'Acme');
        throw new Error('refused halfway');
      }),
    ).rejects.toThrow('refused halfway');
    expect(await engine.transaction(names, 'read')).toEqual([]);
  });

  it('a savepoint keeps its part only when told to, and an error in it undoes only it', async () => {
    const kept = await engine.transaction(async (tx) => {
      await insert(tx, 'Acme');
      const dropped = await tx.savepoint(async (t) => insert(t, 'Globex'), () => false);
      const taken = await tx.savepoint(async (t) => insert(t, 'Initech'));
      await tx.savepoint(async (t) => {
        await insert(t, 'Umbrella');
        throw new Error('not this one');
      }).catch(() => undefined);
      return [dropped.kept, taken.kept];
    });
    expect(kept).toEqual([false, true]);
    expect(await engine.transaction(names, 'read')).toEqual(['Acme', 'Initech']);
    const id = await engine.transaction((tx) => tx.insert('INSERT INTO accounts (name, created_at) VALUES (?, ?)', ['Globex', 1]));
    expect(await engine.transaction((tx) => tx.get('SELECT name FROM accounts WHERE id = ?', [id]), 'read')).toEqual({ name: 'Globex' });
  });

  it('a tx used after its work settled is refused, and close() waits for the running transaction', async () => {
    let leaked: Parameters<Parameters<SqliteEngine['transaction']>[0]>[0] | undefined;
    await engine.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(names(leaked!)).rejects.toThrow(/this transaction is over/);
    const running = engine.transaction(async (tx) => {
      await sleep(20);
      await insert(tx, 'Acme');
    });
    await engine.close();
    await running;
    await expect(engine.transaction(names, 'read')).rejects.toThrow(/closed/);
    const again = await openSqlite(path.join(dir.dir, 'casegate.db'));
    expect(await again.transaction(names, 'read')).toEqual(['Acme']);
    await again.close();
  });
});

describe('statement journals', () => {
  /** The temporary files SQLite has open in this process (it names them etilqs_…, unlinked at once). */
  const sqliteTempFiles = (): string[] =>
    fs.readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
        return /etilqs_/.test(target) ? [target] : [];
      } catch {
        return [];
      }
    });

  it('a savepoint that changes a megabyte of pages keeps its journal in memory, not in a temporary file', async () => {
    const long = 'x'.repeat(400);
    await engine.transaction(async (tx) => {
      for (let i = 0; i < 2500; i++) await tx.run('INSERT INTO accounts (name, created_at) VALUES (?, ?)', [`${long}${i}`, i]);
    });
    let during: string[] | null = null;
    await engine.transaction(async (tx) => {
      await tx.savepoint(async (sp) => {
        // Every page of the table changes inside the savepoint: its journal holds them all (~1 MiB),
        // far past the 64 KiB at which SQLite spills a statement journal to a file of its own.
        expect((await sp.run('UPDATE accounts SET created_at = created_at + 1')).changes).toBe(2500);
        during = sqliteTempFiles();
      });
    });
    expect(during).toEqual([]);
    expect((await engine.transaction((tx) => tx.get<{ n: number }>('SELECT count(*) AS n FROM accounts WHERE created_at >= 1'), 'read'))?.n).toBe(2500);
  });
});

describe('a write lock held by another process', () => {
  it('runs out after busy_timeout as an error isLockTimeout names; other errors it does not', async () => {
    const file = path.join(dir.dir, 'casegate.db');
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    const waiting = await openSqlite(file, { busyTimeoutMs: 50 });
    try {
      const err = await waiting.transaction((tx) => insert(tx, 'Acme')).then(() => null, (e: unknown) => e);
      expect(err, 'the write should have waited for the lock and failed').not.toBeNull();
      expect(isLockTimeout(err)).toBe(true);
      expect(isLockTimeout(new Error('wrapped', { cause: err }))).toBe(true);
      expect(isLockTimeout(Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' }))).toBe(false);
      expect(isLockTimeout(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBe(false);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
      await waiting.close();
    }
  });
});

describe('durable commits without a blocking fsync', () => {
  /** Holds every fdatasync of the engine until `release()`; the descriptors it was given. */
  function holdSyncs(): { fds: number[]; release(err?: NodeJS.ErrnoException): void; restore(): void } {
    const fds: number[] = [];
    const waiting: Array<(err: NodeJS.ErrnoException | null) => void> = [];
    const spy = vi.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => {
      fds.push(fd);
      waiting.push(callback);
    }) as typeof fs.fdatasync);
    return {
      fds,
      release: (err) => waiting.splice(0).forEach((callback) => callback(err ?? null)),
      restore: () => spy.mockRestore(),
    };
  }

  it('runs synchronous = NORMAL in WAL mode and resolves a write only once the WAL file is synced', async () => {
    const raw = new Database(path.join(dir.dir, 'casegate.db'), { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    const syncs = holdSyncs();
    try {
      let resolved = false;
      const write = engine.transaction((tx) => insert(tx, 'Acme')).then(() => (resolved = true));
      // Committed and visible, the next transaction runs, but the write is not answered yet.
      expect(await engine.transaction(names, 'read')).toEqual(['Acme']);
      await sleep(20);
      expect(resolved).toBe(false);
      syncs.release();
      // The first sync makes the folder's entry durable, then the WAL file's frames.
      await vi.waitFor(() => expect(syncs.fds.length).toBeGreaterThanOrEqual(2));
      syncs.release();
      await write;
      const walFd = syncs.fds[syncs.fds.length - 1] as number;
      expect(fs.fstatSync(walFd).ino).toBe(fs.statSync(path.join(dir.dir, 'casegate.db-wal')).ino);
      // A read transaction syncs nothing.
      const before = syncs.fds.length;
      await engine.transaction(names, 'read');
      expect(syncs.fds.length).toBe(before);
    } finally {
      syncs.release();
      syncs.restore();
    }
  });

  it('a sync that fails rejects the write with what to do, and the next write syncs again', async () => {
    await engine.transaction((tx) => insert(tx, 'Acme'));
    const syncs = holdSyncs();
    try {
      const write = engine.transaction((tx) => insert(tx, 'Globex'));
      await vi.waitFor(() => expect(syncs.fds).toHaveLength(1));
      syncs.release(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      await expect(write).rejects.toThrow(/casegate\.db-wal could not be made durable: EIO: i\/o error, fdatasync; nothing was acknowledged, try again/);
      const next = engine.transaction((tx) => insert(tx, 'Initech'));
      await vi.waitFor(() => expect(syncs.fds).toHaveLength(2));
      syncs.release();
      await next;
    } finally {
      syncs.restore();
    }
  });
});
