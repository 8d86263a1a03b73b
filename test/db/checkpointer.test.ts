// serve's WAL checkpoints on a thread of their own (src/db/engines/checkpointer.ts): what the
// writer commits reaches the database file without the writer checkpointing (its own threshold is
// raised meanwhile), writes and checkpoints side by side leave a whole database, and when the
// thread stops or fails the writer checkpoints by itself again. SQLite only; real files in a temp folder.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FALLBACK_AUTOCHECKPOINT, startCheckpointer } from '../../src/db/engines/checkpointer.js';
import { openSqlite } from '../../src/db/engines/sqlite.js';
import { rowsInMainFile } from '../helpers/mainFile.js';
import { tempDir, type TempDir } from '../helpers/tempDir.js';

let dir: TempDir;
beforeEach(() => {
  dir = tempDir('checkpointer');
});
afterEach(() => {
  vi.restoreAllMocks();
  dir.cleanup();
});

async function until(check: () => boolean, ms = 10_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (check()) return true;
  return check();
}

/** A WAL database with a table, and the writer's connection. */
function walDatabase(): { file: string; writer: Database.Database } {
  const file = path.join(dir.dir, 'wal.db');
  const writer = new Database(file);
  writer.pragma('journal_mode = WAL');
  writer.pragma('synchronous = NORMAL');
  writer.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  return { file, writer };
}

describe('the checkpoint thread', () => {
  it("copies what the writer commits into the database file while the writer's own checkpoint waits for 10,000 pages", async () => {
    const { file, writer } = walDatabase();
    // Checkpointed by the writer at its creation; from here on, only by the thread.
    writer.pragma('wal_checkpoint(TRUNCATE)');
    const thread = startCheckpointer(file, writer, { intervalMs: 20 });
    try {
      expect(writer.pragma('wal_autocheckpoint', { simple: true })).toBe(FALLBACK_AUTOCHECKPOINT);
      const insert = writer.prepare('INSERT INTO notes (body) VALUES (?)');
      writer.transaction(() => {
        for (let i = 0; i < 200; i++) insert.run(`note ${i} `.repeat(20));
      })();
      // Far below either threshold of the writer (10,000 pages; SQLite's default, 1,000): only the thread copies it.
      expect(fs.statSync(`${file}-wal`).size).toBeLessThan(1000 * 4096);
      expect(await until(() => rowsInMainFile(file, 'notes', dir.dir) === 200)).toBe(true);
    } finally {
      await thread.stop();
    }
    expect(writer.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    writer.close();
  });

  it('leaves a whole database when writes and checkpoints run side by side, and none lost', async () => {
    const file = path.join(dir.dir, 'casegate.db');
    const engine = await openSqlite(file, { checkpointThread: true });
    let written = 0;
    for (let t = 0; t < 150; t++) {
      await engine.transaction(async (tx) => {
        for (let i = 0; i < 20; i++) {
          await tx.run('INSERT INTO accounts (name, created_at) VALUES (?, ?)', [`Account ${t}.${i} ${'x'.repeat(200)}`, Date.now()]);
          written += 1;
        }
      });
      if (t % 10 === 0) await sleep(5);
    }
    expect(await until(() => rowsInMainFile(file, 'accounts', dir.dir) === written)).toBe(true);
    await engine.close();
    const check = new Database(file);
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((check.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n).toBe(written);
    check.close();
  });

  it('gives the checkpoints back to the writer, once said, when the thread fails', async () => {
    const { file, writer } = walDatabase();
    const said = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const failing = path.join(dir.dir, 'failing.mjs');
    fs.writeFileSync(failing, "throw new Error('no checkpoint today');\n");
    const thread = startCheckpointer(file, writer, { entry: failing });
    expect(await until(() => writer.pragma('wal_autocheckpoint', { simple: true }) === 1000)).toBe(true);
    await thread.stop();
    expect(said).toHaveBeenCalledTimes(1);
    expect(String(said.mock.calls[0]?.[0])).toMatch(/checkpoint thread of .*wal\.db stopped \(no checkpoint today\); the writer checkpoints the WAL by itself again/);
    writer.close();
  });
});

describe('closing a database with a checkpoint thread', () => {
  it('lets a process with nothing else to do end normally once it is closed', async () => {
    const { execFileSync } = await import('node:child_process');
    const sqliteJs = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../dist/src/db/engines/sqlite.js');
    const file = path.join(dir.dir, 'casegate.db');
    // The thread is unref'd (it must not keep serve alive) yet held while close() waits for it: a top-level await of an unheld thread's exit ends node with code 13.
    const script = `const { openSqlite } = await import(${JSON.stringify(sqliteJs)}); const e = await openSqlite(${JSON.stringify(file)}, { checkpointThread: true }); await e.close(); console.log('closed');`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(out.trim()).toBe('closed');
  });
});
