// The commit of inbound messages. Each caller's promise settles after its work is committed, so no
// answer precedes the disk; an error in one message's work undoes only that message.
//
// SQLite (one writer): group commit. The work of several messages runs in one transaction, each
// message in its own savepoint, so one fsync covers them all. When to commit: at once when every
// open connection has a message waiting for this commit (a lone sender, or pipe mode, waits for
// nothing); otherwise wait for the others, at most `maxWaitMs`, so that their messages share it.
//
// PostgreSQL (many writers, row locks): each message in a transaction of its own, concurrently
// over the pool; on a deadlock the engine runs the message's work again. Group commit was measured
// here and left out (rows 7a/7b, 2026-12-06): groups in savepoints on 4 or 8 pooled connections
// made 1.3-1.8 messages per commit but no more messages per second and a p99 of 1.6-2.9 s against
// 0.4-0.8 s. A PostgreSQL commit costs one WAL flush of about a millisecond; what costs is the round
// trip of every statement, which transactions side by side on the pool overlap and a group runs in
// turn, and a group holds each message's locks (its case row, its loop-limit lock) until the last
// of them commits, so other messages queue behind it and two groups can wait on each other until
// PostgreSQL's deadlock check (1 s) breaks the tie.
import type { Engine, Tx } from './engine.js';

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
}

export function createCommitter(db: Database, options: { maxWaitMs?: number } = {}): Committer {
  return db.dialect === 'sqlite' ? groupCommitter(db, options.maxWaitMs ?? 5) : {
    run: (work) => db.transaction(work, 'write'),
    connection: () => () => undefined,
  };
}

function groupCommitter(db: Database, maxWaitMs: number): Committer {
  const groups = createGroups<Job>(
    (jobs) =>
      db
        .transaction(async (tx) => {
          const outcomes: Outcome[] = [];
          for (const job of jobs) {
            try {
              outcomes.push({ ok: true, value: (await tx.savepoint(job.work)).result });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
          return outcomes;
        }, 'write')
        .then(
          (outcomes) => jobs.forEach((job, i) => settle(job, outcomes[i])),
          (err: unknown) => jobs.forEach((job) => job.reject(err)),
        ),
    maxWaitMs,
  );
  return {
    run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => groups.add({ work, resolve: resolve as (v: unknown) => void, reject }));
    },
    connection: groups.connection,
  };
}

/** One member's result of a group: its value, or the error that undid only its savepoint. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface Groups<J> {
  /** Queues a member; it goes with the next group. */
  add(job: J): void;
  /** Says a connection opened; call the returned function when it closes. */
  connection(): () => void;
  /** Hands what is queued to `commit` now (or right after the group being committed). */
  flush(): void;
}

/**
 * When to commit (see the top of this file): gathers members and hands each group to `commit`,
 * one group at a time. `commit` settles every member of its group and must not reject.
 */
export function createGroups<J>(
  commit: (jobs: J[]) => Promise<void>,
  maxWaitMs: number,
  /** Messages waiting for a commit, given the queued ones (the store thread adds those it was sent). */
  waitingNow: (queued: number) => number = (queued) => queued,
  /**
   * Queued messages that go at once as a group of their own, given the open connections (the store
   * thread: half of them, so that one half is committed while the other is read); by default, only
   * when every connection has a message waiting.
   */
  enough: (connections: number) => number = (connections) => connections,
): Groups<J> {
  let queue: J[] = [];
  let connections = 0;
  let immediate: NodeJS.Immediate | null = null;
  let timer: NodeJS.Timeout | null = null;
  /** A group is being committed: the next one gathers meanwhile and goes after it. */
  let flushing = false;

  const schedule = (): void => {
    if (queue.length === 0 || immediate !== null || flushing) return;
    if (waitingNow(queue.length) >= connections || queue.length >= enough(connections)) {
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
    void commit(jobs).finally(() => {
      flushing = false;
      schedule();
    });
  }

  return {
    add(job: J): void {
      queue.push(job);
      schedule();
    },
    flush(): void {
      // A group committing takes the queue with it when it is done (schedule).
      if (!flushing) flush();
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

function settle(job: Pick<Job, 'resolve' | 'reject'>, outcome: Outcome | undefined): void {
  if (outcome?.ok === true) job.resolve(outcome.value);
  else job.reject(outcome === undefined ? new Error('the group commit ended before this message ran') : outcome.error);
}
