// serve's WAL checkpoints on a thread of their own (SQLite). A checkpoint copies the pages the WAL
// holds back into the database file and syncs both files; SQLite runs one by itself in the commit
// that takes the WAL past `wal_autocheckpoint` pages (1,000 by default), so on the one thread that
// answers sockets and commits: at ~1,000 messages a second about ten checkpoints a second, each
// with two fsyncs the thread waited for, half of its time in COMMIT (69 µs per message, 34 with this
// thread), and more on a large database, whose messages dirty more distinct pages (bench rows 1b, 5a).
//
// Here a connection of its own on a worker thread runs a PASSIVE checkpoint every
// CHECKPOINT_INTERVAL_MS. A passive checkpoint takes no lock a writer or a reader waits for: it
// copies what was committed before it began while the writer goes on appending. SQLite syncs the
// WAL before copying and the database after (synchronous = NORMAL), as in the writer's own
// checkpoint, so nothing changes in what is durable when. The writer still starts the WAL over
// from its beginning once a checkpoint has copied all of it, and it still checkpoints by itself
// past FALLBACK_AUTOCHECKPOINT pages (a thread that falls behind, or stops), so the WAL stays
// bounded whatever happens here; when the thread fails, the writer goes back to SQLite's default.
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { threadEntry } from '../../threadEntry.js';

/** How often the thread checkpoints, ms: about what the default of 1,000 pages comes to under load. */
export const CHECKPOINT_INTERVAL_MS = 100;
/** The writer's own checkpoint while the thread runs, pages (40 MiB of WAL with 4 KiB pages). */
export const FALLBACK_AUTOCHECKPOINT = 10_000;
/** SQLite's default, restored when the thread stops. */
const DEFAULT_AUTOCHECKPOINT = 1000;

export interface Checkpointer {
  /** Stops the thread (its connection closed); the writer checkpoints by itself again. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  intervalMs?: number;
  /** The thread's entry script (tests); checkpointWorker.js by default. */
  entry?: string;
}

/** Starts checkpointing `file` on a thread of its own; `writer` is this process's connection to it. */
export function startCheckpointer(file: string, writer: Database.Database, options: CheckpointerOptions = {}): Checkpointer {
  writer.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT}`);
  let stopping = false;
  const worker = new Worker(options.entry ?? threadEntry(import.meta.url, 'checkpointWorker.js'), {
    workerData: { file, intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS },
    stdout: false,
    stderr: false,
  });
  // The sockets keep serve running; this thread alone must not keep a process alive.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  /** The checkpoints go back to the writer, once: false when they already have. */
  const giveBack = (): boolean => {
    if (stopping) return false;
    stopping = true;
    if (writer.open) writer.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
    return true;
  };
  const failed = (why: string): void => {
    if (giveBack()) console.error(`casegate: the checkpoint thread of ${file} stopped (${why}); the writer checkpoints the WAL by itself again`);
  };
  worker.on('message', (m: { error: string }) => {
    failed(m.error);
    void worker.terminate();
  });
  worker.once('error', (err) => failed(err.message));
  worker.once('exit', (code) => failed(`exit code ${code}`));
  return {
    async stop() {
      if (giveBack()) worker.postMessage('stop');
      // Held until it has ended: an unref'd thread alone does not keep the event loop alive while this waits.
      worker.ref();
      await exited;
    },
  };
}
