// The dispatcher: a loop that claims due outbox rows, sends each through the transport and records
// the outcome. A factory with start()/stop(); stop() waits for the running pass; a failed pass is
// logged and the loop goes on. Signals are the caller's business.
//
// Any number of dispatchers may share one database (SPEC §10): each claims rows under a lease of its
// own (queue.ts), and records an outcome only while it still holds the row's lease, so a dispatcher
// that stalled past its lease cannot overwrite the result of the one that took the row over. Delivery
// is at least once: a dispatcher that dies after the relay took a message but before its `sent`
// mark committed leaves the row to be sent again, with the same Message-ID, when the lease ends.
// It runs a pass at start, after every nudge (rows written in this process), on PostgreSQL after
// every NOTIFY on the outbox channel (rows written by any node) and after its listener reconnects
// (notifications may have been lost meanwhile), and otherwise every `config.dispatchIntervalMs`.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Db, Tx } from '../db/client.js';
import type { Config } from '../config.js';
import { composeNotification } from './compose.js';
import { loadNotification } from './load.js';
import { markFailed, markRetry, markSent, OUTBOX_CHANNEL, type OutboxRow } from '../db/outbox.js';
import type { Listener } from '../db/client.js';
import { claimDue, releaseClaims } from './queue.js';
import { classifyDeliveryError, nextAttemptDelay, refusedRecipient } from './retry.js';
import { upsertBounce } from '../db/bounces.js';
import { createConfiguredTransport, type Transport } from './transport.js';
import { loadDkimKey } from './dkim.js';
import type { Metrics } from '../metrics.js';
import type { Log } from '../log.js';

export interface PassResult {
  sent: number;
  retried: number;
  failed: number;
  held: number;
}

export interface DispatcherOptions {
  db: Db;
  config: Config;
  /** Defaults to the configured relay, or the `.eml` folder; closed by stop() only when made here. */
  transport?: Transport;
  /** Rows claimed per round; `config.dispatchBatchSize` unless given. */
  batchSize?: number;
  /** Messages in flight at once; `config.dispatchConcurrency` unless given. */
  concurrency?: number;
  /** How long a claimed row stays reserved; `config.leaseMs` unless given. */
  leaseMs?: number;
  /** Called after every pass that did something. */
  onPass?: (result: PassResult) => void;
  /** How long a wake-up (NOTIFY) waits for more before the pass runs (ms, default 20): a burst of rows, one pass. */
  debounceMs?: number;
  /** Where problems of a pass are reported; stderr by default. */
  log?: (line: string) => void;
  now?: () => number;
  /** Counts each delivery attempt (sent, deferred, failed). */
  metrics?: Metrics;
  /** One event per delivery attempt (row, kind, recipient, result, answer or error); none when absent. */
  logger?: Log;
}

export interface Dispatcher {
  /**
   * Runs a pass now and then every `config.dispatchIntervalMs`; on PostgreSQL also listens for new
   * rows (resolves once listening; a listener that cannot start is logged and the poll goes on).
   */
  start(): Promise<void>;
  /**
   * Stops the loop: messages in flight finish, claimed rows not yet begun are given back. Resolves
   * when the running pass has ended; closes the transport the dispatcher made itself.
   */
  stop(): Promise<void>;
  /** Sends everything due now (retries due now included) and returns the counts. */
  runOnce(): Promise<PassResult>;
  /** Asks a started dispatcher to run its next pass soon, e.g. after new rows were committed. */
  nudge(): void;
  /** Counts of every pass since the dispatcher was made. */
  totals(): PassResult;
  /** What started each pass so far, for logs and tests: the start, the poll timer, a nudge, a NOTIFY, a reconnect. */
  wakes(): Record<Wake, number>;
}

export type Wake = 'start' | 'poll' | 'nudge' | 'notify' | 'reconnect';

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { db, config } = options;
  // Read and checked now: a key that cannot sign stops the caller at start (ConfigError), never a send.
  const dkim = loadDkimKey(config)?.options;
  const ownTransport = options.transport === undefined;
  let transport: Transport | null = options.transport ?? null;
  const batchSize = options.batchSize ?? config.dispatchBatchSize;
  const concurrency = Math.max(1, options.concurrency ?? config.dispatchConcurrency);
  const leaseMs = options.leaseMs ?? config.leaseMs;
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => process.stderr.write(`casegate dispatch: ${line}\n`));
  const owner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const debounceMs = options.debounceMs ?? 20;
  const total: PassResult = { sent: 0, retried: 0, failed: 0, held: 0 };
  const wakes: Record<Wake, number> = { start: 0, poll: 0, nudge: 0, notify: 0, reconnect: 0 };

  let running: Promise<PassResult> | null = null;
  let timer: NodeJS.Timeout | null = null;
  /** Why the timer is set: the poll, or a wake-up that asked for a pass soon. */
  let timerFor: Wake = 'poll';
  /** A wake-up came while a pass ran (rows may have been committed after its last claim): another pass follows. */
  let again: Wake | null = null;
  let listener: Listener | null = null;
  let started = false;
  let stopping = false;

  const getTransport = (): Transport => (transport ??= createConfiguredTransport(config));

  // Outcomes that arrive in the same turn of the event loop are recorded in one transaction (one
  // fsync for all); each sender waits for that commit before it takes its next row.
  let marks: Array<(tx: Tx) => Promise<void>> = [];
  let marking: Promise<void> | null = null;
  function record(mark: (tx: Tx) => Promise<void>): Promise<void> {
    marks.push(mark);
    marking ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const batch = marks;
        marks = [];
        marking = null;
        db.transaction(async (tx) => {
          for (const m of batch) await m(tx);
        }).then(resolve, reject);
      });
    });
    return marking;
  }

  async function deliver(row: OutboxRow): Promise<keyof PassResult> {
    let response: string;
    try {
      const input = await db.transaction((tx) => loadNotification(tx, config, db.blobs, row), 'read');
      const message = composeNotification(input);
      ({ response } = await getTransport().send(dkim ? { ...message, dkim: { ...dkim } } : message));
    } catch (err) {
      return recordFailure(row, err);
    }
    const at = now();
    await record(async (tx) => {
      if (!(await markSent(tx, row.id, response, at, owner))) lostLease(row);
    });
    attempted(row, 'sent', response);
    return 'sent';
  }

  /** The row's lease ran out and another dispatcher took it over: its outcome stands, not ours. */
  function lostLease(row: OutboxRow): void {
    log(`outbox row ${row.id}: the lease ran out before the outcome was recorded; another dispatcher has the row, and its outcome stands`);
  }

  /** Counted and logged once the outcome is committed. */
  function attempted(row: OutboxRow, result: 'sent' | 'deferred' | 'failed', said: string, retryAt?: number): void {
    options.metrics?.dispatched(result);
    const l = options.logger;
    if (l === undefined) return;
    const fields = { event: 'dispatch', outbox: row.id, kind: row.kind, recipient: row.recipient, attempt: row.attempts + 1, result, answer: said, ...(retryAt ? { retryAt: new Date(retryAt).toISOString() } : {}) };
    const line = `dispatch outbox row ${row.id} (${row.kind}) to <${row.recipient}>, attempt ${row.attempts + 1}: ${result}: ${said}`;
    if (result === 'sent') l.info(line, fields);
    else l.warn(line, fields);
  }

  async function recordFailure(row: OutboxRow, err: unknown): Promise<'retried' | 'failed'> {
    const attempt = row.attempts + 1;
    const { verdict, message } = classifyDeliveryError(err);
    const delay = verdict === 'retry' ? nextAttemptDelay(attempt, config.retrySchedule) : null;
    if (delay !== null) {
      const at = now() + delay;
      await record(async (tx) => {
        if (!(await markRetry(tx, row.id, message, at, owner))) lostLease(row);
      });
      attempted(row, 'deferred', message, at);
      return 'retried';
    }
    const refused = refusedRecipient(err);
    const at = now();
    await record(async (tx) => {
      if (!(await markFailed(tx, row.id, verdict === 'retry' ? `gave up after ${attempt} attempts: ${message}` : message, owner))) {
        lostLease(row);
        return;
      }
      // The relay refused the address itself: later mail to it is held, not tried again each time.
      if (refused !== null) await upsertBounce(tx, { addressLower: row.recipientLower, hard: true, ...refused, outboxId: row.id }, at);
    });
    attempted(row, 'failed', message);
    return 'failed';
  }

  async function pass(): Promise<PassResult> {
    const result: PassResult = { sent: 0, retried: 0, failed: 0, held: 0 };
    // Claim in rounds until nothing is due, so that a pass also sends retries due right away.
    // On stop() the messages in flight finish; claimed rows not yet begun are given back.
    for (;;) {
      const at = now();
      const { claimed, held } = await db.transaction((tx) => claimDue(tx, owner, at, batchSize, leaseMs));
      result.held += held;
      if (claimed.length === 0 && held === 0) break;
      let next = 0;
      const take = (): OutboxRow | undefined => (stopping ? undefined : claimed[next++]);
      const worker = async (): Promise<void> => {
        for (let row = take(); row; row = take()) {
          try {
            result[await deliver(row)] += 1;
          } catch (err) {
            // Recording the outcome failed (database busy or gone): the lease runs out and the
            // row is tried again, which may send it twice, as its sent mark was not committed.
            log(`outbox row ${row.id}: could not record the delivery outcome: ${describe(err)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, claimed.length) }, worker));
      if (stopping) {
        const unsent = claimed.slice(next).map((r) => r.id);
        await db.transaction((tx) => releaseClaims(tx, owner, unsent));
        break;
      }
    }
    for (const key of Object.keys(total) as (keyof PassResult)[]) total[key] += result[key];
    if (result.sent + result.retried + result.failed + result.held > 0) options.onPass?.(result);
    return result;
  }

  /** One pass at a time: a second caller shares the running one. */
  function runPass(): Promise<PassResult> {
    running ??= pass().finally(() => {
      running = null;
      const next = again;
      again = null;
      if (next !== null) schedule(0, next);
    });
    return running;
  }

  function schedule(delay: number, why: Wake): void {
    if (!started || stopping) return;
    if (timer) clearTimeout(timer);
    timerFor = why;
    timer = setTimeout(tick, delay);
  }

  function tick(): void {
    timer = null;
    wakes[timerFor] += 1;
    runPass()
      .catch((err: unknown) => log(`pass failed, trying again in ${config.dispatchIntervalMs} ms: ${describe(err)}`))
      // A wake-up during the pass has set the timer for the next one already.
      .finally(() => {
        if (timer === null) schedule(config.dispatchIntervalMs, 'poll');
      });
  }

  /** A pass soon: now if none runs, else right after the running one. */
  function wake(why: Wake, delay: number): void {
    if (!started || stopping) return;
    if (running) again ??= why;
    else if (timer === null || timerFor === 'poll') schedule(delay, why);
  }

  async function listen(): Promise<void> {
    if (!db.listen) return;
    try {
      const l = await db.listen(OUTBOX_CHANNEL, () => wake('notify', debounceMs), {
        onReconnect: () => wake('reconnect', 0),
        onError: (err) => log(`the wake-up connection: ${err.message}; polling every ${config.dispatchIntervalMs} ms until it is back`),
      });
      if (stopping || !started) await l.stop();
      else listener = l;
    } catch (err) {
      log(`cannot listen for new outbox rows (${describe(err)}); polling every ${config.dispatchIntervalMs} ms instead`);
    }
  }

  return {
    async start() {
      if (started) return;
      started = true;
      stopping = false;
      // Listening first, then the first pass: a row committed in between is found by that pass.
      await listen();
      schedule(0, 'start');
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
      again = null;
      const l = listener;
      listener = null;
      await l?.stop();
      await running?.catch(() => undefined);
      started = false;
      stopping = false;
      if (ownTransport && transport) {
        transport.close();
        transport = null;
      }
    },
    runOnce: () => runPass(),
    nudge() {
      wake('nudge', 0);
    },
    totals: () => ({ ...total }),
    wakes: () => ({ ...wakes }),
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
