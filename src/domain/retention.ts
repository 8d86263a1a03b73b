// Retention (`casegate prune`, and `serve` daily): how old a row must be, and which outbox rows are
// final, i.e. may go. Pure.
import type { OutboxStatus } from './outbox.js';

/** Outbox rows that nothing will send again: sent, failed for good, bounced. Pending (queued, retrying, leased) and held rows stay. */
export const FINAL_OUTBOX_STATUSES: readonly OutboxStatus[] = Object.freeze(['sent', 'failed', 'bounced']);

const UNIT_MS: Readonly<Record<string, number>> = Object.freeze({ d: 86_400_000, h: 3_600_000 });

/** `90d`, `36h`, `0d` in milliseconds; null for anything else. At most 100 years. */
export function parseAge(text: string): number | null {
  const m = /^(\d{1,6})([dh])$/.exec(text.trim().toLowerCase());
  if (m === null) return null;
  const ms = Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  return ms <= 36_500 * 86_400_000 ? ms : null;
}

/** `serve`'s daily prune: the days of CASEGATE_PRUNE_* as ages (null: that kind is never pruned). */
export function dailyAges(inboundDays: number | null, outboxSentDays: number | null): { inbound: number | null; outbox: number | null } {
  return { inbound: inboundDays === null ? null : inboundDays * 86_400_000, outbox: outboxSentDays === null ? null : outboxSentDays * 86_400_000 };
}
