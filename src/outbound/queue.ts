// The outbox as a delivery queue: claim due rows under a lease (holding those whose recipient
// hard-bounced), give claims back, and send a failed, held or bounced row again. The SQL is in
// src/db/outbox.ts; the hold rule in src/domain/outbox.ts.
import { transaction, type Db } from '../db/client.js';
import { forgetBounce } from '../db/bounces.js';
import { countOutboxByStatus, dueRows, holdRow, leaseRow, outboxById, releaseRow, requeueRow, type OutboxRow } from '../db/outbox.js';
import { holdNote } from '../domain/outbox.js';
import { conflict, notFound } from '../errors.js';

export interface ClaimResult {
  /** Rows now leased to the caller, to be sent and then marked. */
  claimed: OutboxRow[];
  /** How many due rows were held instead because their recipient hard-bounced. */
  held: number;
}

/**
 * Leases up to `limit` due rows to `owner` until `now + leaseMs`, in one short transaction. A row
 * whose lease has run out (its dispatcher died) is due again. A due row to an address with a hard
 * bounce is held instead.
 */
export function claimDue(db: Db, owner: string, now: number, limit: number, leaseMs: number): ClaimResult {
  return transaction(
    db,
    (): ClaimResult => {
      const claimed: OutboxRow[] = [];
      let held = 0;
      for (const { bounceStatus, bounceDiagnostic, ...row } of dueRows(db, now, limit)) {
        const note = holdNote(row.recipient, bounceStatus === null ? undefined : { status: bounceStatus, diagnostic: bounceDiagnostic });
        if (note !== null) {
          holdRow(db, row.id, note);
          held += 1;
        } else {
          leaseRow(db, row.id, owner, now + leaseMs);
          claimed.push(row);
        }
      }
      return { claimed, held };
    },
    'immediate',
  );
}

/**
 * Rows held in the outbox now, whenever they were held: at enqueue (their address had hard-bounced
 * already), or by a dispatcher when they fell due. They wait for `casegate outbox retry`.
 */
export function heldInOutbox(db: Db): number {
  return countOutboxByStatus(db, 'held');
}

/** Gives back claimed rows that were not attempted (the dispatcher is stopping): due again at once. */
export function releaseClaims(db: Db, owner: string, ids: readonly number[]): void {
  transaction(db, () => ids.forEach((id) => releaseRow(db, id, owner)));
}

/**
 * Sends a `failed`, `held` or `bounced` row again: back to `pending`, due now, with a fresh retry
 * schedule. For a held or bounced row the address's bounce record is forgotten (an admin says the
 * address works again), so that this row is not held at once and its other rows go out too once
 * they are retried.
 */
export function retryRow(db: Db, id: number, now: number): void {
  transaction(
    db,
    () => {
      const row = outboxById(db, id);
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
      if (row.status === 'held' || row.status === 'bounced') forgetBounce(db, row.recipientLower);
      requeueRow(db, id, now);
    },
    'immediate',
  );
}
