// Retention (`casegate prune`, and `serve` daily): how old a row must be, and which outbox rows are
// final, i.e. may go. Pure.
import type { OutboxStatus } from './outbox.js';
import { parseDuration } from './since.js';

/** Outbox rows that nothing will send again: sent, failed for good, bounced. Pending (queued, retrying, leased) and held rows stay. */
export const FINAL_OUTBOX_STATUSES: readonly OutboxStatus[] = Object.freeze(['sent', 'failed', 'bounced']);

/** `90d`, `36h`, `0d` in milliseconds; null for anything else. At most 100 years. */
export function parseAge(text: string): number | null {
  const ms = parseDuration(text, 'dh');
  return ms !== null && ms <= 36_500 * 86_400_000 ? ms : null;
}

/** `serve`'s daily prune: the days of CASEGATE_PRUNE_* as ages (null: that kind is never pruned). */
export function dailyAges(inboundDays: number | null, outboxSentDays: number | null): { inbound: number | null; outbox: number | null } {
  return { inbound: inboundDays === null ? null : inboundDays * 86_400_000, outbox: outboxSentDays === null ? null : outboxSentDays * 86_400_000 };
}
