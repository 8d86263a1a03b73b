// Bounces: a report names one of our messages by its VERP token (the bounce address it was sent
// to, from the null sender); a permanent failure marks that row `bounced` and its address
// hard-bouncing, which holds later notifications to that address until an admin retries one.
// (Delays are never recorded here.) A Message-ID quoted in the report's body is never used to find
// a row: anyone can quote one.
//
// Applied by the inbound pipeline (src/ingest/apply.ts) inside the message's transaction.
import type { Tx } from '../db/engine.js';
import { upsertBounce } from '../db/bounces.js';
import { markBounced, outboxByToken, type OutboxRow } from '../db/outbox.js';

export interface BounceReport {
  /** Token of the VERP address the bounce was sent to (`bounce+<token>@domain`). */
  token: string;
  /** The recipient the report names (`Final-Recipient`), when given. */
  recipient?: string;
  /** Enhanced status code from the report, e.g. `5.1.1` (or an SMTP code such as `553`). */
  status: string;
  /** A permanent failure (src/domain/bounceRules.ts decides; `Action: failed` with 4.x.x is one); default: a status starting with 5. */
  permanent?: boolean;
  /** The remote server's diagnostic, e.g. `smtp; 550 5.1.1 user unknown`. */
  diagnostic: string | null;
}

/**
 * Records a bounce against the outbox row it reports on; returns that row, or null when the report
 * names no message of ours (nothing is changed then).
 */
export async function recordBounce(tx: Tx, report: BounceReport, now: number): Promise<OutboxRow | null> {
  const row = await findRow(tx, report);
  if (!row) return null;
  const status = report.status.trim() || 'unknown';
  const diagnostic = report.diagnostic?.replace(/\s+/g, ' ').trim() || null;
  const hard = report.permanent ?? status.startsWith('5');
  const reported = report.recipient?.trim();
  const elsewhere = reported && reported.toLowerCase() !== row.recipientLower ? ` (reported for ${reported})` : '';
  const lastError = `${hard ? 'bounced' : 'soft bounce'}: ${[status, diagnostic].filter(Boolean).join(' ')}${elsewhere}`;
  await markBounced(tx, row.id, lastError.slice(0, 1000), now, hard);
  await upsertBounce(tx, { addressLower: row.recipientLower, hard, status, diagnostic, outboxId: row.id }, now);
  return row;
}

async function findRow(tx: Tx, report: BounceReport): Promise<OutboxRow | undefined> {
  const token = report.token.trim().toLowerCase();
  return token === '' ? undefined : await outboxByToken(tx, token);
}
