// Bounces: a delivery status notification names one of our messages (by its VERP token or its
// Message-ID); the row it names is marked bounced and its recipient recorded. A hard (5.x.x)
// bounce holds later notifications to that address until an admin retries one.
//
// Called by the inbound pipeline inside its own transaction, so it runs plain statements and
// never opens a transaction of its own.
import type { Db } from '../db/client.js';

export interface BounceReport {
  /** Token of the VERP address the bounce was sent to (`bounce+<token>@domain`). */
  token?: string;
  /** Message-ID of our message, as quoted in the report (with or without angle brackets). */
  messageId?: string;
  /** The recipient the report names (`Final-Recipient`), when given. */
  recipient?: string;
  /** Enhanced status code from the report, e.g. `5.1.1`; a leading 5 makes the bounce hard. */
  status: string;
  /** The remote server's diagnostic, e.g. `smtp; 550 5.1.1 user unknown`. */
  diagnostic: string | null;
}

interface Matched {
  id: number;
  recipient: string;
  recipientLower: string;
}

/**
 * Records a bounce against the outbox row it reports on; returns that row's id, or null when the
 * report names no message of ours (nothing is changed then).
 */
export function recordBounce(db: Db, report: BounceReport, now: number): number | null {
  const row = findRow(db, report);
  if (!row) return null;
  const status = report.status.trim() || 'unknown';
  const diagnostic = report.diagnostic?.replace(/\s+/g, ' ').trim() || null;
  const hard = status.startsWith('5');
  const reported = report.recipient?.trim();
  const elsewhere = reported && reported.toLowerCase() !== row.recipientLower ? ` (reported for ${reported})` : '';
  const lastError = `${hard ? 'bounced' : 'soft bounce'}: ${[status, diagnostic].filter(Boolean).join(' ')}${elsewhere}`;

  db.sqlite.prepare(`UPDATE outbox SET bounced_at = ?, last_error = ? WHERE id = ?`).run(now, lastError.slice(0, 1000), row.id);
  // A later soft bounce does not downgrade a hard one.
  db.sqlite
    .prepare(
      `INSERT INTO bounces (address_lower, hard, status, diagnostic, outbox_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (address_lower) DO UPDATE SET hard = excluded.hard, status = excluded.status,
         diagnostic = excluded.diagnostic, outbox_id = excluded.outbox_id, created_at = excluded.created_at
       WHERE excluded.hard = 1 OR bounces.hard = 0`,
    )
    .run(row.recipientLower, hard ? 1 : 0, status, diagnostic, row.id, now);
  return row.id;
}

function findRow(db: Db, report: BounceReport): Matched | undefined {
  const select = `SELECT id, recipient, recipient_lower AS recipientLower FROM outbox`;
  const token = report.token?.trim().toLowerCase();
  if (token) {
    const hit = db.sqlite.prepare<[string], Matched>(`${select} WHERE token = ?`).get(token);
    if (hit) return hit;
  }
  // Our Message-IDs are `<token@domain>`, all lower case: the token's index finds the row.
  const local = /^<?([a-z0-9]+)@/.exec(report.messageId?.trim().toLowerCase() ?? '')?.[1];
  if (local) {
    const raw = `<${report.messageId?.trim().replace(/^<|>$/g, '').toLowerCase()}>`;
    return db.sqlite.prepare<[string, string], Matched>(`${select} WHERE token = ? AND message_id = ?`).get(local, raw);
  }
  return undefined;
}
