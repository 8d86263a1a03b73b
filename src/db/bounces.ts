// The `bounces` table: addresses that bounced. A hard bounce holds later notifications to them.
import { chunks, IN_LIST, inList, type Tx } from './engine.js';

export interface HardBounce {
  status: string;
  diagnostic: string | null;
}

/** The hard bounces recorded for some addresses (normalised), by address: one statement per 500 of them. */
export async function hardBouncesOf(tx: Tx, lowers: readonly string[]): Promise<Map<string, HardBounce>> {
  const found = new Map<string, HardBounce>();
  for (const some of chunks([...new Set(lowers)], IN_LIST)) {
    const rows = await tx.all<HardBounce & { addressLower: string }>(
      `SELECT address_lower AS "addressLower", status, diagnostic FROM bounces WHERE address_lower IN (${inList(some.length)}) AND hard = TRUE`,
      some,
    );
    for (const { addressLower, status, diagnostic } of rows) found.set(addressLower, { status, diagnostic });
  }
  return found;
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
