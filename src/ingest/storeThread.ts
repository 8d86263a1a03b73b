// The store thread of `serve` on SQLite: a worker thread that owns a write connection of its own and
// commits the messages' jobs (StoreJob: the recipients' facts, the stages, apply), so that the main
// thread keeps answering sockets, parsing and authenticating while SQL and fsync run. Each job is
// posted as it comes; the thread commits what arrived while its last transaction ran as the next
// one (group commit). SQLite has one writer, so one thread; PostgreSQL needs none (its work is done
// by the server, and the pool's transactions run side by side).
//
// Nothing is answered before its commit: a job's promise settles when the thread says its group
// committed (or that its savepoint failed). When the thread dies, every job it had not answered
// fails (451: the client sends again, and a copy that was committed is a duplicate then); the next
// job starts a new thread. Work that must join a message's transaction (IMAP's UID record) and
// anything else given as a closure runs on the main thread's own connection, as before.
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import { createCommitter, type Committer, type Db } from '../db/client.js';
import { createGroups } from '../db/commit.js';
import { runStoreJob, type JobCommitter, type StoreJob } from './storeJob.js';
import type { Outcome } from './apply.js';
import { revive, type FromThread, type ToThread } from './storeMessages.js';
import { threadEntry } from '../threadEntry.js';

export interface StoreThread extends Committer, JobCommitter {
  /** Starts the thread; resolves when its connection is open. */
  start(): Promise<void>;
  /** Waits for the jobs it was sent, then ends the thread. */
  stop(): Promise<void>;
  /** Groups the thread committed (one transaction, one fsync each). */
  readonly commits: number;
}

/** The store thread's young generation (semi-spaces), MiB. */
const YOUNG_GENERATION_MB = 4;

/** How long jobs gather while some connection has no message waiting (as createCommitter's group commit). */
const MAX_WAIT_MS = 5;

interface Waiting {
  resolve: (outcomes: Outcome[]) => void;
  reject: (err: unknown) => void;
}


export interface StoreThreadOptions {
  /** The thread's entry script (tests: one that fails as a crashed thread would); storeWorker.js by default. */
  entry?: string;
}

export function createStoreThread(db: Db, config: Config, options: StoreThreadOptions = {}): StoreThread {
  const local = createCommitter(db);
  let worker: Worker | null = null;
  let ready: Promise<void> | null = null;
  let commits = 0;
  let nextId = 1;
  const waiting = new Map<number, Waiting>();
  let stopping = false;

  const spawn = async (): Promise<void> => {
    // The thread waits for another writer as long as this connection does (tests shorten it).
    const busy = await db.transaction((tx) => tx.get<{ timeout: number }>('PRAGMA busy_timeout'), 'read');
    const w = new Worker(options.entry ?? threadEntry(import.meta.url, 'storeWorker.js'), {
      workerData: { config, location: db.location, blobDir: db.blobs.localDir, busyTimeoutMs: busy?.timeout },
      // Its own log lines go where the process's go.
      stdout: false,
      stderr: false,
      // Its garbage is small and short-lived (a group's jobs): a small young generation, not V8's
      // default that grows to 32 MiB under load (row 4a's median peak 196 MiB with it, 171 without).
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    worker = w;
    await new Promise<void>((resolve, reject) => {
      w.on('message', (reply: FromThread) => {
        if (reply.type === 'ready') resolve();
        else if (reply.type === 'failed-to-open') reject(revive(reply.error));
        else answered(reply);
      });
      w.once('error', (err) => {
        reject(err);
        ended(w, err);
      });
      w.once('exit', (code) => {
        const err = new Error(`the store thread stopped (exit code ${code})`);
        reject(err);
        ended(w, err);
      });
    });
  };

  const answered = (reply: FromThread): void => {
    if (reply.type === 'group-done') {
      commits += 1;
      for (const r of reply.results) {
        const w = waiting.get(r.id);
        waiting.delete(r.id);
        if (r.ok) w?.resolve(r.value);
        else w?.reject(revive(r.error));
      }
    } else if (reply.type === 'group-failed') {
      const err = revive(reply.error);
      for (const id of reply.ids) {
        waiting.get(id)?.reject(err);
        waiting.delete(id);
      }
    }
  };

  /** A thread ended: every job it had not answered fails; the next job starts another. */
  const ended = (w: Worker, err: Error): void => {
    if (worker !== w) return;
    worker = null;
    ready = null;
    for (const [id, job] of waiting) {
      waiting.delete(id);
      job.reject(err);
    }
    if (!stopping) console.error(`casegate: ${err.message}; the messages it had were answered 451, and the next ones start it again`);
  };

  // When to send: as the group commit on the main thread decides (src/db/commit.ts), counting the
  // jobs the thread has not answered yet as waiting too. At once when every open connection has a
  // message waiting (nothing more can come) or half of them have one queued here, else after at
  // most 5 ms, so that messages arriving together share a transaction; the thread adds whatever came
  // while it committed. The halves: sessions answered together send together, and a group of all of
  // them left the main thread idle while the thread committed and the thread idle while the main
  // thread read and parsed the next messages; in halves one half is committed while the other is
  // read (alternating bursts of 1,000 messages over 20 sessions, sender authentication on its own
  // thread: 1.14 times the rate of whole groups; bench row 1c, against committing on the main
  // thread: 1.00-1.06, where whole groups measured 0.91-0.99).
  const send = async (jobs: Array<{ id: number; job: StoreJob }>): Promise<void> => {
    const w = worker;
    if (w === null) {
      const err = new Error('the store thread is not running');
      for (const { id } of jobs) {
        waiting.get(id)?.reject(err);
        waiting.delete(id);
      }
      return;
    }
    const message: ToThread = { type: 'jobs', jobs };
    w.postMessage(message);
  };
  const groups = createGroups(send, MAX_WAIT_MS, () => waiting.size, (connections) => Math.ceil(connections / 2));

  return {
    get commits() {
      return commits;
    },
    run: (work) => local.run(work),
    connection: groups.connection,
    async runJob(job: StoreJob): Promise<Outcome[]> {
      // Stopping: what still comes (a session that outlived the server's close) commits here.
      if (stopping) return local.run((tx) => runStoreJob(tx, config, job));
      try {
        ready ??= spawn();
        await ready;
      } catch (err) {
        ready = null;
        throw err;
      }
      const id = nextId++;
      return new Promise<Outcome[]>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        groups.add({ id, job });
      });
    },
    async start() {
      stopping = false;
      ready ??= spawn();
      await ready;
    },
    async stop() {
      stopping = true;
      groups.flush();
      const w = worker;
      if (w === null) return;
      // Whatever it was sent is answered first: the thread ends after its last group.
      const closed = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      const message: ToThread = { type: 'stop' };
      w.postMessage(message);
      await closed;
    },
  };
}
