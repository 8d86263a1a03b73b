// serve's store thread on SQLite (src/ingest/storeThread.ts, CASEGATE_STORE_THREAD=on): over SMTP
// a reply is stored and answered 250 only after the thread committed it, a refusal is still one,
// and a write lock held past busy_timeout is 451 as without the thread; a thread that dies with a
// message in flight fails that message (the client is answered 451 and sends it again), keeps
// nothing of it, and the next message starts a new thread, which stores it once.
import Database from 'better-sqlite3';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/ingest/parse.js';
import type { StoreJob } from '../../src/ingest/storeJob.js';
import { createStoreThread } from '../../src/ingest/storeThread.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, EVE } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { onPostgres, query } from '../helpers/testDb.js';

const dyingEntry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/storeWorkerThatDies.mjs');

let gw: Gateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe.skipIf(onPostgres)('the store thread', () => {
  it('stores a reply over SMTP, refuses a stranger, and answers 451 when the write lock stays taken', async () => {
    gw = await startGateway({ CASEGATE_MIN_FREE_BYTES: '0', CASEGATE_STORE_THREAD: 'on' }, { busyTimeoutMs: 300 });
    expect(gw.committer).toHaveProperty('runJob');
    const taken = await gw.send(mail({ from: ANN, to: gw.caseAddress, body: 'Committed by the store thread.' }), { from: ANN, to: [gw.caseAddress] });
    expect(taken.code).toBe(250);
    expect(await query(gw.db, "SELECT count(*) AS n FROM comments WHERE body LIKE 'Committed by the store thread.%'")).toEqual([{ n: 1 }]);
    expect((await gw.send(mail({ from: EVE, to: gw.caseAddress, body: 'Not a participant.' }), { from: EVE, to: [gw.caseAddress] })).code).toBe(550);
    const holder = new Database(gw.config.db);
    holder.exec('BEGIN IMMEDIATE');
    try {
      expect((await gw.send(mail({ from: ANN, to: gw.caseAddress, body: 'While the database is locked.' }), { from: ANN, to: [gw.caseAddress] })).code).toBe(451);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(await query(gw.db, "SELECT count(*) AS n FROM comments WHERE body LIKE 'While the database%'")).toEqual([{ n: 0 }]);
  });

  it('fails the group in flight when the thread dies, and starts a new thread for the next', async () => {
    gw = await startGateway({ CASEGATE_MIN_FREE_BYTES: '0' });
    const raw = mail({ from: ANN, to: gw.caseAddress, body: 'Sent while the store thread dies.' });
    const msg = await parseMessage(Readable.from([Buffer.from(raw)]), { store: gw.db.blobs });
    const job: StoreJob = { kind: 'deliver', msg, envelope: { mailFrom: ANN, rcpt: [gw.caseAddress] }, auth: null, perRecipient: false, quiet: true, at: null };
    const store = createStoreThread(gw.db, gw.config, { entry: dyingEntry });
    await store.start();
    try {
      await expect(store.runJob(job)).rejects.toThrow(/the store thread stopped \(exit code 1\)/);
      expect(await query(gw.db, "SELECT count(*) AS n FROM comments WHERE body LIKE 'Sent while%'")).toEqual([{ n: 0 }]);
      const [again] = await store.runJob(job);
      expect(again).toMatchObject({ decision: 'accepted', answer: { code: 250 } });
      expect(await query(gw.db, "SELECT count(*) AS n FROM comments WHERE body LIKE 'Sent while%'")).toEqual([{ n: 1 }]);
      expect(store.commits).toBe(1);
    } finally {
      await store.stop();
    }
  });
});
