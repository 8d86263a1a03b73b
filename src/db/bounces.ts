// The `bounces` table: addresses that bounced. A hard bounce holds later notifications to them.
import { statement, type Db } from './client.js';

export interface HardBounce {
  status: string;
  diagnostic: string | null;
}

/** The hard bounce recorded for an address (`lower`: normalised), or undefined. */
export function hardBounceOf(db: Db, lower: string): HardBounce | undefined {
  return statement<[string], HardBounce>(db, 'SELECT status, diagnostic FROM bounces WHERE address_lower = ? AND hard = 1').get(lower);
}

/** Records a bounce of an address; a later soft bounce does not downgrade a hard one. */
export function upsertBounce(
  db: Db,
  b: { addressLower: string; hard: boolean; status: string; diagnostic: string | null; outboxId: number },
  now: number,
): void {
  statement<unknown[]>(
    db,
    `INSERT INTO bounces (address_lower, hard, status, diagnostic, outbox_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (address_lower) DO UPDATE SET hard = excluded.hard, status = excluded.status,
       diagnostic = excluded.diagnostic, outbox_id = excluded.outbox_id, created_at = excluded.created_at
     WHERE excluded.hard = 1 OR bounces.hard = 0`,
  ).run(b.addressLower, b.hard ? 1 : 0, b.status, b.diagnostic, b.outboxId, now);
}

/** Forgets the bounce record of an address (an admin retried a row held for it). */
export function forgetBounce(db: Db, lower: string): void {
  statement<[string]>(db, 'DELETE FROM bounces WHERE address_lower = ?').run(lower);
}
