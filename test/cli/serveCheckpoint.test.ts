// `casegate serve` checkpoints its SQLite WAL on a thread of its own (src/db/engines/checkpointer.ts):
// what it commits reaches the database file while it runs, long before its own commits would take
// the WAL to the writer's threshold, and it still stops with exit code 0. SQLite only.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newTestDb, startServe, type Served, type TestDb } from '../helpers/cli.js';
import { SUPPORT } from '../helpers/seed.js';
import { mail, sendRaw } from '../helpers/smtp.js';

let t: TestDb | undefined;
let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  t?.cleanup();
  served = t = undefined;
});

/** Cases in the database file alone (a copy without its WAL): what checkpoints have copied there. */
function casesInMainFile(db: string, dir: string): number {
  const copy = path.join(dir, `main-only-${Date.now()}.db`);
  fs.copyFileSync(db, copy);
  const read = new Database(copy, { readonly: true });
  try {
    return (read.prepare('SELECT count(*) AS n FROM cases').get() as { n: number }).n;
  } finally {
    read.close();
    fs.rmSync(copy);
  }
}

describe('casegate serve and its WAL', () => {
  it('copies what it commits into the database file while it runs (a checkpoint thread), and stops with 0', async () => {
    t = await newTestDb();
    expect((await t.run('routing', 'add', SUPPORT)).code).toBe(0);
    served = await startServe(t.db, ['--no-dispatch']);
    for (let i = 0; i < 10; i++) {
      const from = `customer${i}@customer.example`;
      const r = await sendRaw(served.port, mail({ from, to: SUPPORT, subject: `Printer ${i} is jammed` }), { from, to: [SUPPORT] });
      expect(r.code, r.response).toBe(250);
    }
    // Ten new cases are a few dozen WAL pages: SQLite's own checkpoint waits for 1,000.
    expect(fs.statSync(`${t.db}-wal`).size).toBeLessThan(1000 * 4096);
    await vi.waitFor(() => expect(casesInMainFile(t?.db as string, t?.dir as string)).toBe(10), { timeout: 10_000, interval: 100 });
    await served.stop();
    expect({ code: served.proc.exitCode, signal: served.proc.signalCode }).toEqual({ code: 0, signal: null });
  });
});
