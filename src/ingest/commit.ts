// Group commit: the work of every message that finished its DATA in the same turn of the event
// loop runs in one SQLite transaction (each message in its own savepoint), so one fsync covers
// them all. Each caller's promise settles after the commit, so no answer precedes the disk.
import type { Store } from '../db/client.js';

export interface Committer {
  /** Runs `work` inside a transaction and resolves after that transaction is committed. */
  run<T>(work: () => T): Promise<T>;
}

interface Job {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  ok?: boolean;
  value?: unknown;
  error?: unknown;
}

export function createCommitter(store: Store): Committer {
  let queue: Job[] = [];
  let scheduled = false;

  const flush = (): void => {
    const jobs = queue;
    queue = [];
    scheduled = false;
    try {
      store.sqlite.transaction(() => {
        for (const job of jobs) {
          try {
            job.value = store.sqlite.transaction(job.work)();
            job.ok = true;
          } catch (err) {
            job.ok = false;
            job.error = err;
          }
        }
      })();
    } catch (err) {
      for (const job of jobs) job.reject(err);
      return;
    }
    for (const job of jobs) {
      if (job.ok) job.resolve(job.value);
      else job.reject(job.error);
    }
  };

  return {
    run<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
