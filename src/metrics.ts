// The gateway's Prometheus metrics (prom-client), one registry per gateway. Counted where the
// decision is made, and only once it is committed: the ingest pipeline counts each recipient's
// outcome by the stage that decided it, the dispatcher each delivery attempt; the outbox gauges are
// read from the database on each scrape. Counting costs a map lookup and an addition per message.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { isTaken, isTemporary, type Answer } from './domain/answers.js';
import { OUTBOX_STATUSES } from './domain/outbox.js';
import type { SenderAuth } from './domain/senderAuth.js';

/** How an inbound message ended for one recipient, as the metrics label it. */
export type InboundResult = 'accepted' | 'refused' | 'deferred';
export type DispatchResult = 'sent' | 'deferred' | 'failed';
export type BounceLabel = 'permanent' | 'delay';

/** What the pipeline tells the metrics of one recipient, after the commit. */
export interface CountedOutcome {
  readonly answer: Answer;
  /** The stage that decided (src/ingest/stages.ts), or where the pipeline stopped before the stages (rcpt, parse, disk, store). */
  readonly stage: string;
  /** A report on a bounce address read as a permanent failure or a delay; null otherwise. */
  readonly bounce?: BounceLabel | null;
}

export interface OutboxGauges {
  byStatus: readonly { status: string; count: number }[];
  /** Epoch milliseconds of the oldest due pending row, or null. */
  oldestDue: number | null;
}

export interface Metrics {
  readonly registry: Registry;
  /** One message's outcomes (one per recipient) and its sender authentication, once committed. */
  ingested(outcomes: readonly CountedOutcome[], auth: SenderAuth | null): void;
  /** Seconds from the end of DATA to the answer. */
  answered(seconds: number): void;
  /** One delivery attempt of the dispatcher. */
  dispatched(result: DispatchResult): void;
  /** The Prometheus text of every metric. */
  scrape(): Promise<string>;
}

export const resultOf = (a: Answer): InboundResult => (isTaken(a) ? 'accepted' : isTemporary(a) ? 'deferred' : 'refused');

/**
 * A registry with casegate's metrics and prom-client's default process and event-loop metrics.
 * `outbox` reads the outbox gauges at scrape time (null: the gauges are left out, e.g. no database).
 */
export function createMetrics(outbox: (() => Promise<OutboxGauges>) | null, now: () => number = Date.now): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const inbound = new Counter({
    name: 'casegate_inbound_messages_total',
    help: 'Inbound messages by recipient: accepted (250), refused (5xx) or deferred (4xx), by the stage that decided',
    labelNames: ['result', 'stage'] as const,
    registers: [registry],
  });
  const ingestSeconds = new Histogram({
    name: 'casegate_ingest_seconds',
    help: 'Seconds from the end of DATA to the answer',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const dispatch = new Counter({
    name: 'casegate_dispatch_messages_total',
    help: 'Delivery attempts of notifications: sent, deferred (retried later) or failed',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const bounces = new Counter({
    name: 'casegate_bounces_total',
    help: 'Delivery reports received on bounce addresses: permanent failures and delays',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const senderAuth = new Counter({
    name: 'casegate_sender_auth_total',
    help: 'Sender authentication results of inbound messages, by DMARC result',
    labelNames: ['dmarc'] as const,
    registers: [registry],
  });
  for (const result of ['sent', 'deferred', 'failed'] as const) dispatch.inc({ result }, 0);
  for (const kind of ['permanent', 'delay'] as const) bounces.inc({ kind }, 0);
  if (outbox !== null) {
    // Both gauges from one read per scrape: the first collect() reads, the second uses its result.
    let reading: Promise<OutboxGauges> | null = null;
    const read = (): Promise<OutboxGauges> => {
      reading ??= outbox().finally(() => setImmediate(() => (reading = null)));
      return reading;
    };
    new Gauge({
      name: 'casegate_outbox_rows',
      help: 'Outbox rows by status',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        const g = await read();
        this.reset();
        for (const status of OUTBOX_STATUSES) this.set({ status }, 0);
        for (const r of g.byStatus) this.set({ status: r.status }, r.count);
      },
    });
    new Gauge({
      name: 'casegate_outbox_oldest_due_seconds',
      help: 'Seconds since the oldest pending outbox row became due (0 when none is due)',
      registers: [registry],
      async collect() {
        const g = await read();
        this.set(g.oldestDue === null ? 0 : Math.max(0, (now() - g.oldestDue) / 1000));
      },
    });
  }

  return {
    registry,
    ingested(outcomes, auth) {
      for (const o of outcomes) {
        inbound.inc({ result: resultOf(o.answer), stage: o.stage });
        if (o.bounce) bounces.inc({ kind: o.bounce });
      }
      if (auth !== null) senderAuth.inc({ dmarc: auth.dmarc });
    },
    answered: (seconds) => ingestSeconds.observe(seconds),
    dispatched: (result) => dispatch.inc({ result }),
    scrape: () => registry.metrics(),
  };
}
