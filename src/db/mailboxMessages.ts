// The `mailbox_messages` table: which messages of a mailbox were taken, by UIDVALIDITY and UID,
// with the inbound log row and the folder decided. A row is written in the transaction that stores
// the message, so a message fetched again after a crash before its move is found here and only
// moved. Rows go with their mailbox and with their inbound log row (foreign keys, ON DELETE CASCADE).
import type { Tx } from './engine.js';

export type TakenDisposition = 'done' | 'refused';

export interface TakenMessage {
  mailboxId: number;
  uidValidity: number;
  uid: number;
  inboundId: number;
  disposition: TakenDisposition;
}

/**
 * Records a taken message. Another node that took the same message at the same moment keeps its
 * row (the first commit wins); the duplicate rule has made this copy a duplicate already, when the
 * message has a Message-ID.
 */
export async function recordTaken(tx: Tx, m: TakenMessage): Promise<void> {
  await tx.run('INSERT INTO mailbox_messages (mailbox_id, uid_validity, uid, inbound_id, disposition) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING', [
    m.mailboxId,
    m.uidValidity,
    m.uid,
    m.inboundId,
    m.disposition,
  ]);
}

/** The messages among `uids` already taken from this mailbox under this UIDVALIDITY, by UID. */
export async function takenBefore(tx: Tx, mailboxId: number, uidValidity: number, uids: readonly number[]): Promise<Map<number, TakenMessage>> {
  const out = new Map<number, TakenMessage>();
  if (uids.length === 0) return out;
  const rows = await tx.all<TakenMessage>(
    `SELECT mailbox_id AS "mailboxId", uid_validity AS "uidValidity", uid, inbound_id AS "inboundId", disposition
      FROM mailbox_messages WHERE mailbox_id = ? AND uid_validity = ? AND uid IN (${uids.map(() => '?').join(', ')})`,
    [mailboxId, uidValidity, ...uids],
  );
  for (const r of rows) out.set(Number(r.uid), { ...r, uid: Number(r.uid), uidValidity: Number(r.uidValidity) });
  return out;
}
