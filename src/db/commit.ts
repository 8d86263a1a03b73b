// The commit of inbound messages. Each caller's promise settles after its work is committed, so no
// answer precedes the disk; an error in one message's work undoes only that message.
//
// SQLite (one writer): group commit. The work of several messages runs in one transaction, each
// message in its own savepoint, so one fsync covers them all. When to commit: at once when every
// open connection has a message waiting for this commit (a lone sender, or pipe mode, waits for
// nothing); otherwise wait for the others, at most `maxWaitMs`, so that their messages share it.
//
// PostgreSQL (many writers, row locks): group commit too, several groups at once over the pool.
// A message that finds a group slot free is committed at once (alone: a transaction of its own, as
// before); while every slot is busy, the messages that arrive gather and go together into the next
// free slot, each in its own savepoint, so one commit (one WAL flush) covers them. A deadlock or
// serialization failure inside a message's savepoint undoes only that message: the group commits
// the messages before it and the others go again in a new group (its locks are gone by then). A
// failure of the commit itself (the engine runs the whole group's work again on a deadlock) reaches
// every message of the group: so, as on one transaction, each message's work must do nothing but
// database work through its `tx`.
import type { Engine, Tx } from './engine.js';
import { CONFLICT_TRIES, isRetryable } from './engines/postgresErrors.js';

/** What the committer needs of the database (client.ts's Db is one). */
type Database = Pick<Engine, 'dialect' | 'transaction'>;

export interface Committer {
  /** Runs `work` inside a write transaction and resolves after that transaction is committed. */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Says an SMTP/LMTP connection opened; call the returned function when it closes. */
  connection(): () => void;
}

interface Job {
  work: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  /** Groups this message was put back from after a conflict (PostgreSQL). */
  conflicts?: number;
}

export interface CommitterOptions {
  /** SQLite: how long a group waits for the other connections' messages (default 5 ms). */
  maxWaitMs?: number;
  /** PostgreSQL: groups committing at the same time, each on a pooled connection (default 4). */
  slots?: number;
  /** PostgreSQL: messages in one group at most (default 16; each savepoint is a subtransaction). */
  maxGroup?: number;
}

export function createCommitter(db: Database, options: CommitterOptions = {}): Committer {
  return db.dialect === 'sqlite' ? groupCommitter(db, options.maxWaitMs ?? 5) : slottedCommitter(db, options.slots ?? 4, options.maxGroup ?? 16);
}

/** PostgreSQL's group commit: up to `slots` groups at once, a group formed by what waited for a slot. */
function slottedCommitter(db: Database, slots: number, maxGroup: number): Committer {
  let queue: Job[] = [];
  let busy = 0;

  const schedule = (): void => {
    while (busy < slots && queue.length > 0) {
      const jobs = queue.slice(0, maxGroup);
      queue = queue.slice(jobs.length);
      busy += 1;
      void commitGroup(jobs).finally(() => {
        busy -= 1;
        schedule();
      });
    }
  };

  async function commitGroup(jobs: Job[]): Promise<void> {
    const [only] = jobs;
    if (jobs.length === 1 && only !== undefined) {
      // Alone: no savepoint needed, and the engine runs the work again on a conflict.
      await db.transaction(only.work, 'write').then(only.resolve, only.reject);
      return;
    }
    let outcomes: Outcome[] = [];
    try {
      await db.transaction(async (tx) => {
        // The engine may run this again (a conflict at commit): every message starts over.
        outcomes = [];
        for (const job of jobs) {
          try {
            outcomes.push({ ok: true, value: (await tx.savepoint(job.work)).result });
          } catch (error) {
            // A conflict undid this message's savepoint (and released its locks); it goes again
            // after this group, which commits what came before it.
            if (isRetryable(error) && (job.conflicts ?? 0) + 1 < CONFLICT_TRIES) break;
            outcomes.push({ ok: false, error });
          }
        }
      }, 'write');
    } catch (err) {
      jobs.forEach((job) => job.reject(err));
      return;
    }
    jobs.slice(0, outcomes.length).forEach((job, i) => settle(job, outcomes[i]));
    // The message that met the conflict, and those not run after it.
    const again = jobs.slice(outcomes.length);
    const [conflicted] = again;
    if (conflicted !== undefined) conflicted.conflicts = (conflicted.conflicts ?? 0) + 1;
    queue = [...again, ...queue];
  }

  return {
    run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
        schedule();
      });
    },
    connection: () => () => undefined,
  };
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function groupCommitter(db: Database, maxWaitMs: number): Committer {
  let queue: Job[] = [];
  let connections = 0;
  let immediate: NodeJS.Immediate | null = null;
  let timer: NodeJS.Timeout | null = null;
  /** A group is being committed: the next one gathers meanwhile and goes after it. */
  let flushing = false;

  const schedule = (): void => {
    if (queue.length === 0 || immediate !== null || flushing) return;
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
    flushing = true;
    const outcomes: Outcome[] = [];
    db.transaction(async (tx) => {
      for (const job of jobs) {
        try {
          outcomes.push({ ok: true, value: (await tx.savepoint(job.work)).result });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    }, 'write')
      .then(
        () => jobs.forEach((job, i) => settle(job, outcomes[i])),
        (err: unknown) => jobs.forEach((job) => job.reject(err)),
      )
      .finally(() => {
        flushing = false;
        schedule();
      });
  }

  return {
    run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
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

function settle(job: Job, outcome: Outcome | undefined): void {
  if (outcome?.ok === true) job.resolve(outcome.value);
  else job.reject(outcome === undefined ? new Error('the group commit ended before this message ran') : outcome.error);
}
