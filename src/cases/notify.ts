// Writing notifications: one outbox row per recipient, in the caller's transaction. A recipient
// whose address hard-bounced gets a `held` row (the hold rule of src/domain/outbox.ts). Every row
// offers its recipient's own reply address for the case (SPEC §4 *Sender trust*), issued on their
// first notification and reused for the later ones.
import type { Tx } from '../db/engine.js';
import { hardBouncesOf } from '../db/bounces.js';
import { collaboratorEmails } from '../db/collaborators.js';
import { insertOutboxRows, wakeDispatchers, type NewOutboxRow } from '../db/outbox.js';
import { replyAddressesFor, replyAddressKey } from '../db/replyAddresses.js';
import { newMessageToken, outboundMessageId } from '../domain/mailNames.js';
import { normalizeEmail } from '../domain/address.js';
import { holdNote, type NotificationKind } from '../domain/outbox.js';
import type { ParticipantKind } from '../domain/recipients.js';

export interface Notification {
  caseId: number;
  /** The comment a `comment` or `owner` row carries; for `history`, the last comment the history covers. */
  commentId: number | null;
  kind: NotificationKind;
  recipients: readonly string[];
  /** The case's collaborators when the caller has read them already (participantsOf); read here otherwise. */
  collaborators?: readonly string[];
}

/**
 * Writes the rows of one notification; returns their ids, in the order of the recipients. Call
 * inside the causing transaction. A few statements whatever the number of recipients (their hard
 * bounces, their reply addresses, the rows): on PostgreSQL each statement is a round trip.
 */
export async function enqueueNotification(tx: Tx, n: Notification, domain: string, now: number): Promise<number[]> {
  if (n.recipients.length === 0) return [];
  const collaborators = n.kind === 'owner' ? [] : (n.collaborators ?? await collaboratorEmails(tx, n.caseId)).map(normalizeEmail);
  const each = n.recipients.map((recipient) => {
    const lower = normalizeEmail(recipient);
    const kind: ParticipantKind = n.kind === 'owner' ? 'owner' : collaborators.includes(lower) ? 'collaborator' : 'contact';
    return { recipient, lower, kind };
  });
  const bounces = await hardBouncesOf(tx, each.map((r) => r.lower));
  const replyAddresses = await replyAddressesFor(tx, n.caseId, each.map((r) => ({ kind: r.kind, addressLower: r.lower })), now);
  const rows = each.map(({ recipient, lower, kind }): NewOutboxRow => {
    const note = holdNote(recipient, bounces.get(lower));
    const token = newMessageToken(now);
    return {
      caseId: n.caseId,
      commentId: n.commentId,
      kind: n.kind,
      recipient,
      recipientLower: lower,
      token,
      messageId: outboundMessageId(token, domain),
      status: note === null ? 'pending' : 'held',
      lastError: note,
      replyAddressId: replyAddresses.get(replyAddressKey({ kind, addressLower: lower })) ?? null,
    };
  });
  const ids = await insertOutboxRows(tx, rows, now);
  // Every row ever written comes through here: the one place that wakes the dispatchers.
  if (rows.some((r) => r.status === 'pending')) await wakeDispatchers(tx);
  return ids;
}
