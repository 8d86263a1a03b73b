// The dispatcher: a loop that claims due outbox rows, sends each through the transport and records
// the outcome. A factory with start()/stop(); stop() waits for the running pass; a failed pass is
// logged and the loop goes on. Signals are the caller's business.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Db, Tx } from '../db/client.js';
import type { Config } from '../config.js';
import { composeNotification } from './compose.js';
import { loadNotification } from './load.js';
import { markFailed, markRetry, markSent, type OutboxRow } from '../db/outbox.js';
import { claimDue, releaseClaims } from './queue.js';
import { classifyDeliveryError, nextAttemptDelay, refusedRecipient } from './retry.js';
import { upsertBounce } from '../db/bounces.js';
import { createConfiguredTransport, type Transport } from './transport.js';
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
  /** Where problems of a pass are reported; stderr by default. */
  log?: (line: string) => void;
  now?: () => number;
  /** Counts each delivery attempt (sent, deferred, failed). */
  metrics?: Metrics;
  /** One event per delivery attempt (row, kind, recipient, result, answer or error); none when absent. */
  logger?: Log;
}

export interface Dispatcher {
  /** Runs a pass now and then every `config.dispatchIntervalMs`. */
  start(): void;
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
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { db, config } = options;
  const ownTransport = options.transport === undefined;
  let transport: Transport | null = options.transport ?? null;
  const batchSize = options.batchSize ?? config.dispatchBatchSize;
  const concurrency = Math.max(1, options.concurrency ?? config.dispatchConcurrency);
  const leaseMs = options.leaseMs ?? config.leaseMs;
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => process.stderr.write(`casegate dispatch: ${line}\n`));
  const owner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const total: PassResult = { sent: 0, retried: 0, failed: 0, held: 0 };

  let running: Promise<PassResult> | null = null;
  let timer: NodeJS.Timeout | null = null;
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
      const input = await db.transaction((tx) => loadNotification(tx, config, db.blobDir, row), 'read');
      ({ response } = await getTransport().send(composeNotification(input)));
    } catch (err) {
      return recordFailure(row, err);
    }
    const at = now();
    await record((tx) => markSent(tx, row.id, response, at));
    attempted(row, 'sent', response);
    return 'sent';
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
      await record((tx) => markRetry(tx, row.id, message, at));
      attempted(row, 'deferred', message, at);
      return 'retried';
    }
    const refused = refusedRecipient(err);
    const at = now();
    await record(async (tx) => {
      await markFailed(tx, row.id, verdict === 'retry' ? `gave up after ${attempt} attempts: ${message}` : message);
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
    });
    return running;
  }

  function schedule(delay: number): void {
    if (!started || stopping) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(tick, delay);
  }

  function tick(): void {
    timer = null;
    runPass()
      .catch((err: unknown) => log(`pass failed, trying again in ${config.dispatchIntervalMs} ms: ${describe(err)}`))
      .finally(() => schedule(config.dispatchIntervalMs));
  }

  return {
    start() {
      if (started) return;
      started = true;
      stopping = false;
      schedule(0);
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
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
      if (started && !stopping && !running) schedule(0);
    },
    totals: () => ({ ...total }),
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
