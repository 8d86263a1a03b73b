// Retention: removes inbound log rows and final outbox rows older than an age, the .eml files of
// the removed notifications (when the outbox is the .eml folder), and attachment contents no row
// names. Never a comment, an attachment a comment still has, or an outbox row that may still be
// sent (pending, retrying, leased, held). Rows go in batches, each in a write transaction of its
// own, so that a large first prune never holds the database from the mail coming in.
// `casegate prune` runs it once; `serve` runs it daily when CASEGATE_PRUNE_* is set (createPruner).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { pruneInboundBatch } from '../db/inbound.js';
import { pruneOutboxBatch } from '../db/outbox.js';
import { dailyAges, FINAL_OUTBOX_STATUSES } from '../domain/retention.js';
import type { Log } from '../log.js';
import { emlFileName } from './transport.js';

/** How old (ms) an inbound row, and a final outbox row, must be to go; null: that kind is kept. */
export interface PruneAges {
  readonly inbound: number | null;
  readonly outbox: number | null;
}

export interface PruneReport {
  /** The times before which rows went (ISO), null for a kind not pruned. */
  inboundBefore: string | null;
  outboxBefore: string | null;
  inbound: number;
  outbox: number;
  emlFiles: number;
  /** Attachment contents (and dead temp files) that no row named any more. */
  orphans: number;
  temps: number;
  bytes: number;
}

const BATCH = 500;

export async function pruneOnce(db: Db, config: Pick<Config, 'smtpUrl' | 'outboxDir' | 'sessionSeconds'>, ages: PruneAges, now = Date.now()): Promise<PruneReport> {
  const inboundBefore = ages.inbound === null ? null : now - ages.inbound;
  const outboxBefore = ages.outbox === null ? null : now - ages.outbox;
  let inbound = 0;
  if (inboundBefore !== null) {
    for (let after = 0; ; ) {
      const batch = await db.transaction((tx) => pruneInboundBatch(tx, inboundBefore, after, BATCH));
      inbound += batch.removed;
      if (batch.lastId === null || batch.removed < BATCH) break;
      after = batch.lastId;
    }
  }
  let outbox = 0;
  let emlFiles = 0;
  if (outboxBefore !== null) {
    for (let after = 0; ; ) {
      const batch = await db.transaction((tx) => pruneOutboxBatch(tx, FINAL_OUTBOX_STATUSES, outboxBefore, after, BATCH));
      outbox += batch.removed.length;
      // Only the .eml folder holds a copy of each notification; with a relay there is none.
      if (config.smtpUrl === null) emlFiles += await removeEmlFiles(config.outboxDir, batch.removed);
      if (batch.lastId === null) break;
      after = batch.lastId;
    }
  }
  const garbage = await db.blobs.collectGarbage(config.sessionSeconds * 1000);
  return {
    inboundBefore: inboundBefore === null ? null : new Date(inboundBefore).toISOString(),
    outboxBefore: outboxBefore === null ? null : new Date(outboxBefore).toISOString(),
    inbound,
    outbox,
    emlFiles,
    ...garbage,
  };
}

/** Removes the .eml files of these Message-IDs from the folder; a file already gone (picked up) is no error. */
async function removeEmlFiles(dir: string, messageIds: readonly string[]): Promise<number> {
  let removed = 0;
  for (const id of messageIds) {
    try {
      await fs.unlink(path.join(dir, emlFileName(id)));
      removed++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return removed;
}

export function describePrune(r: PruneReport): string {
  const parts = [
    r.inboundBefore === null ? null : `${r.inbound} inbound log row${r.inbound === 1 ? '' : 's'} from before ${r.inboundBefore}`,
    r.outboxBefore === null ? null : `${r.outbox} sent, failed or bounced notification${r.outbox === 1 ? '' : 's'} from before ${r.outboxBefore} (${r.emlFiles} .eml file${r.emlFiles === 1 ? '' : 's'})`,
    `${r.orphans} attachment content${r.orphans === 1 ? '' : 's'} no row names (${r.bytes} bytes)`,
  ];
  return `removed ${parts.filter((p) => p !== null).join(', ')}`;
}

export interface Pruner {
  start(): void;
  /** Stops the timer and waits for a pass that is running. */
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * `serve`'s daily prune by CASEGATE_PRUNE_INBOUND_DAYS and CASEGATE_PRUNE_OUTBOX_SENT_DAYS: a first
 * pass `firstAfterMs` after start (so that a start is not slowed), then one a day, each logged. A
 * failed pass is logged and the next day's runs; null when neither setting is set.
 */
export function createPruner(db: Db, config: Config, log: Log, firstAfterMs = 60_000): Pruner | null {
  const ages = dailyAges(config.pruneInboundDays, config.pruneOutboxSentDays);
  if (ages.inbound === null && ages.outbox === null) return null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  const pass = async (): Promise<void> => {
    try {
      const r = await pruneOnce(db, config, ages);
      log.info(`prune: ${describePrune(r)}`, { event: 'prune', inbound: r.inbound, outbox: r.outbox, emlFiles: r.emlFiles, orphans: r.orphans, bytes: r.bytes });
    } catch (err) {
      log.error(`prune failed, tried again in a day: ${(err as Error).message}`, { event: 'prune' });
    }
  };
  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pass().finally(() => {
        running = null;
        schedule(DAY_MS);
      });
    }, ms);
    timer.unref();
  };
  return {
    start: () => schedule(firstAfterMs),
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await running;
    },
  };
}
