// Group commit: the work of several messages runs in one SQLite transaction (each message in its
// own savepoint), so one fsync covers them all. Each caller's promise settles after the commit, so
// no answer precedes the disk.
//
// When to commit: at once when every open connection has a message waiting for this commit (a lone
// sender, or pipe mode, waits for nothing); otherwise wait for the others, at most `maxWaitMs`, so
// that their messages share the commit and its fsync.
import type { Db } from '../db/client.js';

export interface Committer {
  /** Runs `work` inside a transaction and resolves after that transaction is committed. */
  run<T>(work: () => T): Promise<T>;
  /** Says an SMTP/LMTP connection opened; call the returned function when it closes. */
  connection(): () => void;
}

interface Job {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  ok?: boolean;
  value?: unknown;
  error?: unknown;
}

export function createCommitter(db: Db, options: { maxWaitMs?: number } = {}): Committer {
  const maxWaitMs = options.maxWaitMs ?? 5;
  let queue: Job[] = [];
  let connections = 0;
  let immediate: NodeJS.Immediate | null = null;
  let timer: NodeJS.Timeout | null = null;

  const schedule = (): void => {
    if (queue.length === 0 || immediate !== null) return;
    if (queue.length >= connections) {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      immediate = setImmediate(flush);
    } else if (timer === null) {
      timer = setTimeout(flush, maxWaitMs);
    }
  };

  function flush(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    immediate = null;
    const jobs = queue;
    queue = [];
    if (jobs.length === 0) return;
    try {
      // IMMEDIATE: the write lock is taken (waiting busy_timeout for another process) before any
      // message's work runs, never upgraded halfway, which SQLite refuses at once with SQLITE_BUSY.
      db.sqlite.transaction(() => {
        for (const job of jobs) {
          try {
            job.value = db.sqlite.transaction(job.work)();
            job.ok = true;
          } catch (err) {
            job.ok = false;
            job.error = err;
          }
        }
      }).immediate();
    } catch (err) {
      for (const job of jobs) job.reject(err);
      return;
    }
    for (const job of jobs) {
      if (job.ok) job.resolve(job.value);
      else job.reject(job.error);
    }
  }

  return {
    run<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
        schedule();
      });
    },
    connection(): () => void {
      connections += 1;
      let closed = false;
      return () => {
        if (closed) return;
        closed = true;
        connections -= 1;
        schedule();
      };
    },
  };
}
