// The `bounces` table: addresses that bounced. A hard bounce holds later notifications to them.
import type { Tx } from './engine.js';

export interface HardBounce {
  status: string;
  diagnostic: string | null;
}

/** The hard bounce recorded for an address (`lower`: normalised), or undefined. */
export function hardBounceOf(tx: Tx, lower: string): Promise<HardBounce | undefined> {
  return tx.get<HardBounce>('SELECT status, diagnostic FROM bounces WHERE address_lower = ? AND hard = TRUE', [lower]);
}

/** Records a bounce of an address; a later soft bounce does not downgrade a hard one. */
export async function upsertBounce(
  tx: Tx,
  b: { addressLower: string; hard: boolean; status: string; diagnostic: string | null; outboxId: number },
  now: number,
): Promise<void> {
  await tx.run(
    `INSERT INTO bounces (address_lower, hard, status, diagnostic, outbox_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (address_lower) DO UPDATE SET hard = excluded.hard, status = excluded.status,
       diagnostic = excluded.diagnostic, outbox_id = excluded.outbox_id, created_at = excluded.created_at
     WHERE excluded.hard = TRUE OR bounces.hard = FALSE`,
    [b.addressLower, b.hard ? 1 : 0, b.status, b.diagnostic, b.outboxId, now],
  );
}

/** Forgets the bounce record of an address (an admin retried a row held for it). */
export async function forgetBounce(tx: Tx, lower: string): Promise<void> {
  await tx.run('DELETE FROM bounces WHERE address_lower = ?', [lower]);
}
