// The outbox as a delivery queue: claim due rows under a lease (holding those whose recipient
// hard-bounced), give claims back, and send a failed, held or bounced row again. The SQL is in
// src/db/outbox.ts; the hold rule in src/domain/outbox.ts. Each function runs in the caller's
// transaction: a write transaction of its own, short.
import type { Tx } from '../db/engine.js';
import { forgetBounce } from '../db/bounces.js';
import { countOutboxByStatus, dueRows, holdRow, leaseRows, outboxById, releaseRow, requeueRow, wakeDispatchers, type OutboxRow } from '../db/outbox.js';
import { holdNote } from '../domain/outbox.js';
import { conflict, notFound } from '../errors.js';

export interface ClaimResult {
  /** Rows now leased to the caller, to be sent and then marked. */
  claimed: OutboxRow[];
  /** How many due rows were held instead because their recipient hard-bounced. */
  held: number;
}

/**
 * Leases up to `limit` due rows to `owner` until `now + leaseMs`, in the caller's short write
 * transaction. A row whose lease has run out (its dispatcher died) is due again. A due row to an
 * address with a hard bounce is held instead. On PostgreSQL the due rows are locked as they are read
 * and rows another dispatcher is claiming are skipped, so any number of dispatchers, on any nodes,
 * claim different rows; SQLite has one writer at a time.
 */
export async function claimDue(tx: Tx, owner: string, now: number, limit: number, leaseMs: number): Promise<ClaimResult> {
  const claimed: OutboxRow[] = [];
  let held = 0;
  for (const { bounceStatus, bounceDiagnostic, ...row } of await dueRows(tx, now, limit)) {
    const note = holdNote(row.recipient, bounceStatus === null ? undefined : { status: bounceStatus, diagnostic: bounceDiagnostic });
    if (note !== null) {
      await holdRow(tx, row.id, note);
      held += 1;
    } else {
      claimed.push(row);
    }
  }
  await leaseRows(tx, claimed.map((r) => r.id), owner, now + leaseMs);
  return { claimed, held };
}

/**
 * Rows held in the outbox now, whenever they were held: at enqueue (their address had hard-bounced
 * already), or by a dispatcher when they fell due. They wait for `casegate outbox retry`.
 */
export function heldInOutbox(tx: Tx): Promise<number> {
  return countOutboxByStatus(tx, 'held');
}

/** Gives back claimed rows that were not attempted (the dispatcher is stopping): due again at once. */
export async function releaseClaims(tx: Tx, owner: string, ids: readonly number[]): Promise<void> {
  for (const id of ids) await releaseRow(tx, id, owner);
}

/**
 * Sends a `failed`, `held` or `bounced` row again: back to `pending`, due now, with a fresh retry
 * schedule. For a held or bounced row the address's bounce record is forgotten (an admin says the
 * address works again), so that this row is not held at once and its other rows go out too once
 * they are retried.
 */
export async function retryRow(tx: Tx, id: number, now: number): Promise<void> {
  const row = await outboxById(tx, id);
  if (!row) throw notFound(`outbox row ${id} does not exist; run "casegate outbox list" to see the rows`);
  if (row.status === 'sent') {
    const when = row.sentAt === null ? '' : ` on ${new Date(row.sentAt).toISOString()}`;
    throw conflict(`outbox row ${id} was already sent${when}; only failed, held or bounced rows can be retried`);
  }
  if (row.status === 'pending') {
    throw conflict(
      `outbox row ${id} is already pending (next attempt ${new Date(row.nextAttemptAt).toISOString()}); ` +
        'run "casegate dispatch --once" to send due rows now',
    );
  }
  if (row.status === 'held' || row.status === 'bounced') await forgetBounce(tx, row.recipientLower);
  await requeueRow(tx, id, now);
  await wakeDispatchers(tx);
}
