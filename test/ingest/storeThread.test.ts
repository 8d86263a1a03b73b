// serve's store thread on SQLite (src/ingest/storeThread.ts): a thread that dies with a message in
// flight fails that message (the client is answered 451 and sends it again), keeps nothing of it, and
// the next message starts a new thread, which stores it once. The thread's ordinary work is covered
// by every e2e test: their gateways commit through it.
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage } from '../../src/ingest/parse.js';
import type { StoreJob } from '../../src/ingest/storeJob.js';
import { createStoreThread } from '../../src/ingest/storeThread.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { onPostgres, query } from '../helpers/testDb.js';

const dyingEntry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/storeWorkerThatDies.mjs');

let gw: Gateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe.skipIf(onPostgres)('the store thread', () => {
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
