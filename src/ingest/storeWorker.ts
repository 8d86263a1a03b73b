// The store thread's entry (see storeThread.ts): opens its own connection to the SQLite file and
// commits the jobs it is sent. Jobs that arrive while a transaction runs wait, and all of them go in
// the next transaction, each in a savepoint of its own: one fsync for all (group commit, sized by
// what arrived meanwhile). Only the write transaction's work is loaded here, none of the parsing.
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config.js';
import { openDb, type Db } from '../db/client.js';
import type { Outcome } from './apply.js';
import { runStoreJob, type StoreJob } from './storeJob.js';
import { flatten, type FromThread, type ThreadError, type ToThread } from './storeMessages.js';

const { config, location, blobDir, busyTimeoutMs } = workerData as { config: Config; location: string; blobDir: string; busyTimeoutMs?: number };
const port = (() => {
  if (parentPort === null) throw new Error('storeWorker.js runs as a worker thread of serve');
  return parentPort;
})();
const say = (message: FromThread): void => port.postMessage(message);

/** The thread's page cache, MiB. */
const STORE_CACHE_MIB = 8;

type Result = { id: number; ok: true; value: Outcome[] } | { id: number; ok: false; error: ThreadError };

async function commit(db: Db, group: ReadonlyArray<{ id: number; job: StoreJob }>): Promise<void> {
  try {
    const results = await db.transaction(async (tx) => {
      const out: Result[] = [];
      for (const { id, job } of group) {
        try {
          out.push({ id, ok: true, value: (await tx.savepoint((t) => runStoreJob(t, config, job))).result });
        } catch (err) {
          out.push({ id, ok: false, error: flatten(err) });
        }
      }
      return out;
    }, 'write');
    say({ type: 'group-done', results });
  } catch (err) {
    say({ type: 'group-failed', ids: group.map((m) => m.id), error: flatten(err) });
  }
}

async function main(): Promise<void> {
  let db: Db;
  try {
    // Half the main connection's page cache: the writes' hot pages (the ends of the append-only
    // indexes, the hot cases) fit, and serve's peak memory stays under row 4a's 200 MiB with the
    // sender authentication thread beside it (16 MiB: 191-194 MiB, 8 MiB: 183-184 MiB; row 5a, 100,000
    // cases, level).
    db = await openDb(location, { blobDir, busyTimeoutMs, mustExist: true, cacheMiB: STORE_CACHE_MIB });
  } catch (err) {
    say({ type: 'failed-to-open', error: flatten(err) });
    return;
  }
  say({ type: 'ready' });
  let pending: Array<{ id: number; job: StoreJob }> = [];
  let running = false;
  let scheduled = false;
  let stop = false;
  // Runs after the messages that arrived together were all read (setImmediate: after the poll phase).
  const flush = async (): Promise<void> => {
    scheduled = false;
    if (running) return;
    running = true;
    while (pending.length > 0) {
      const group = pending;
      pending = [];
      await commit(db, group);
      // Let the jobs that came during this commit in before the next one.
      await new Promise((resolve) => setImmediate(resolve));
    }
    running = false;
    if (stop) await db.close().finally(() => port.close());
  };
  port.on('message', (message: ToThread) => {
    if (message.type === 'jobs') pending.push(...message.jobs);
    else stop = true;
    if (!scheduled && !running) {
      scheduled = true;
      setImmediate(() => void flush());
    }
  });
}

void main();
