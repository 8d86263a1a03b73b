// The store thread's entry (see storeThread.ts): opens its own connection to the SQLite file and
// commits each group it is sent in one transaction, each job in a savepoint of its own, then says
// how each went. Only the write transaction's work is loaded here, none of the parsing.
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config.js';
import { openDb, type Db } from '../db/client.js';
import { runStoreJob } from './storeJob.js';
import type { Outcome } from './apply.js';
import { flatten, type FromThread, type ThreadError, type ToThread } from './storeMessages.js';

const { config, location, blobDir, busyTimeoutMs } = workerData as { config: Config; location: string; blobDir: string; busyTimeoutMs?: number };
const port = (() => {
  if (parentPort === null) throw new Error('storeWorker.js runs as a worker thread of serve');
  return parentPort;
})();
const say = (message: FromThread): void => port.postMessage(message);

async function commit(db: Db, id: number, jobs: ToThread & { type: 'group' }): Promise<void> {
  try {
    const results = await db.transaction(async (tx) => {
      const out: Array<{ ok: true; value: Outcome[] } | { ok: false; error: ThreadError }> = [];
      for (const job of jobs.jobs) {
        try {
          out.push({ ok: true, value: (await tx.savepoint((t) => runStoreJob(t, config, job))).result });
        } catch (err) {
          out.push({ ok: false, error: flatten(err) });
        }
      }
      return out;
    }, 'write');
    say({ type: 'group-done', id, results });
  } catch (err) {
    say({ type: 'group-failed', id, error: flatten(err) });
  }
}

async function main(): Promise<void> {
  let db: Db;
  try {
    db = await openDb(location, { blobDir, busyTimeoutMs, mustExist: true });
  } catch (err) {
    say({ type: 'failed-to-open', error: flatten(err) });
    return;
  }
  say({ type: 'ready' });
  // One group at a time, in the order sent (the main thread sends the next after this one's answer).
  let chain = Promise.resolve();
  port.on('message', (message: ToThread) => {
    if (message.type === 'group') chain = chain.then(() => commit(db, message.id, message));
    else if (message.type === 'stop') chain = chain.then(() => db.close()).then(() => port.close());
  });
}

void main();
