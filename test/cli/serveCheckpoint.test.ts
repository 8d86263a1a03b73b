// `casegate serve` checkpoints its SQLite WAL on a thread of its own (src/db/engines/checkpointer.ts):
// what it commits reaches the database file while it runs, long before its own commits would take
// the WAL to the writer's threshold, and it still stops with exit code 0. SQLite only.
import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newTestDb, startServe, type Served, type TestDb } from '../helpers/cli.js';
import { rowsInMainFile } from '../helpers/mainFile.js';
import { SUPPORT } from '../helpers/seed.js';
import { mail, sendRaw } from '../helpers/smtp.js';

let t: TestDb | undefined;
let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  t?.cleanup();
  served = t = undefined;
});

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
    await vi.waitFor(() => expect(rowsInMainFile(t?.db as string, 'cases', t?.dir as string)).toBe(10), { timeout: 10_000, interval: 100 });
    await served.stop();
    expect({ code: served.proc.exitCode, signal: served.proc.signalCode }).toEqual({ code: 0, signal: null });
  });
});
