// The store thread of `serve` on SQLite: a worker thread that owns a write connection of its own and
// commits the messages' jobs (StoreJob: reading the recipients' facts, the stages, apply), group by
// group, so that the main thread keeps answering sockets, parsing and authenticating while a group's
// SQL and its fsync run. SQLite has one writer, so one thread; PostgreSQL needs none (its work is
// done by the server, and the pool's transactions run side by side).
//
// Nothing is answered before its commit: a member's promise settles when the thread says its group
// committed (or that its savepoint failed). When the thread dies with a group in flight, that group's
// members fail (451: the client sends again, and a copy that was committed is a duplicate then); the
// next group starts a new thread. Work that must join a message's transaction (IMAP's UID record) and
// anything else given as a closure runs on the main thread's own connection, as before.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import { createCommitter, type Committer, type Db } from '../db/client.js';
import { createGroups, settle, type Outcome as Settled } from '../db/commit.js';
import { runStoreJob, type JobCommitter, type StoreJob } from './storeJob.js';
import type { Outcome } from './apply.js';
import { revive, type FromThread, type ToThread } from './storeMessages.js';

export interface StoreThread extends Committer, JobCommitter {
  /** Starts the thread; resolves when its connection is open. */
  start(): Promise<void>;
  /** Waits for the group in flight, then ends the thread. */
  stop(): Promise<void>;
  /** Groups the thread committed (one transaction, one fsync each). */
  readonly commits: number;
}

interface Member {
  job: StoreJob;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** The thread's entry: compiled beside this file; from the TypeScript sources (tests), the build's copy. */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return path.join(path.dirname(here), 'storeWorker.js');
  return path.resolve(path.dirname(here), '../../dist/src/ingest/storeWorker.js');
}

export interface StoreThreadOptions {
  /** How long a group gathers while connections have no message waiting (createGroups). */
  maxWaitMs?: number;
  /** The thread's entry script (tests: one that fails as a crashed thread would); storeWorker.js by default. */
  entry?: string;
}

export function createStoreThread(db: Db, config: Config, options: StoreThreadOptions = {}): StoreThread {
  const local = createCommitter(db);
  let worker: Worker | null = null;
  let ready: Promise<void> | null = null;
  let commits = 0;
  let nextId = 1;
  const waiting = new Map<number, (reply: FromThread) => void>();
  let stopping = false;

  const spawn = async (): Promise<void> => {
    // The thread waits for another writer as long as this connection does (tests shorten it).
    const busy = await db.transaction((tx) => tx.get<{ timeout: number }>('PRAGMA busy_timeout'), 'read');
    const w = new Worker(options.entry ?? workerFile(), {
      workerData: { config, location: db.location, blobDir: db.blobs.localDir, busyTimeoutMs: busy?.timeout },
      // Its own log lines go where the process's go.
      stdout: false,
      stderr: false,
    });
    worker = w;
    const opened = new Promise<void>((resolve, reject) => {
      w.on('message', (reply: FromThread) => {
        if (reply.type === 'ready') resolve();
        else if (reply.type === 'failed-to-open') reject(revive(reply.error));
        else waiting.get(reply.id)?.(reply);
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
    await opened;
  };

  /** A thread ended: every group it had in flight fails; the next group starts another. */
  const ended = (w: Worker, err: Error): void => {
    if (worker !== w) return;
    worker = null;
    ready = null;
    for (const [id, answer] of waiting) {
      waiting.delete(id);
      answer({ type: 'group-failed', id, error: { name: err.name, message: err.message, code: null, cause: null } });
    }
    if (!stopping) console.error(`casegate: ${err.message}; messages in its group were answered 451 and the next ones start it again`);
  };

  const commitGroup = async (members: Member[]): Promise<void> => {
    // Stopping: what still comes (a session that outlived the server's close) commits here.
    if (stopping) {
      for (const m of members) await local.run((tx) => runStoreJob(tx, config, m.job)).then(m.resolve, m.reject);
      return;
    }
    try {
      ready ??= spawn();
      await ready;
      const w = worker;
      if (w === null) throw new Error('the store thread is not running');
      const id = nextId++;
      const reply = await new Promise<FromThread>((resolve) => {
        waiting.set(id, resolve);
        const message: ToThread = { type: 'group', id, jobs: members.map((m) => m.job) };
        w.postMessage(message);
      });
      waiting.delete(id);
      if (reply.type === 'group-done') {
        commits += 1;
        members.forEach((m, i) => {
          const r = reply.results[i];
          const outcome: Settled | undefined = r === undefined ? undefined : r.ok ? { ok: true, value: r.value } : { ok: false, error: revive(r.error) };
          settle(m, outcome);
        });
      } else if (reply.type === 'group-failed') {
        const err = revive(reply.error);
        members.forEach((m) => m.reject(err));
      }
    } catch (err) {
      ready = null;
      members.forEach((m) => m.reject(err));
    }
  };

  const groups = createGroups<Member>(commitGroup, options.maxWaitMs ?? 5);

  return {
    get commits() {
      return commits;
    },
    run: (work) => local.run(work),
    connection: groups.connection,
    runJob(job: StoreJob): Promise<Outcome[]> {
      return new Promise<Outcome[]>((resolve, reject) => groups.add({ job, resolve: resolve as (v: unknown) => void, reject }));
    },
    async start() {
      stopping = false;
      ready ??= spawn();
      await ready;
    },
    async stop() {
      stopping = true;
      const w = worker;
      if (w === null) return;
      // Whatever is in flight is answered first: the thread ends after the groups it was sent.
      const closed = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      const message: ToThread = { type: 'stop' };
      w.postMessage(message);
      await closed;
    },
  };
}
