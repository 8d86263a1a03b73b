// Writing notifications: one outbox row per recipient, in the caller's transaction. A recipient
// whose address hard-bounced gets a `held` row (the hold rule of src/domain/outbox.ts). Every row
// offers its recipient's own reply address for the case (SPEC §4 *Sender trust*), issued on their
// first notification and reused for the later ones.
import type { Db } from '../db/client.js';
import { hardBounceOf } from '../db/bounces.js';
import { collaboratorEmails } from '../db/collaborators.js';
import { insertOutbox } from '../db/outbox.js';
import { insertReplyAddress, liveReplyAddress } from '../db/replyAddresses.js';
import { newMessageToken, newToken, outboundMessageId } from '../domain/mailNames.js';
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

/** Writes the rows of one notification; returns their ids. Call inside the causing transaction. */
export function enqueueNotification(db: Db, n: Notification, domain: string, now: number): number[] {
  const collaborators = n.kind === 'owner' ? [] : (n.collaborators ?? collaboratorEmails(db, n.caseId)).map(normalizeEmail);
  return n.recipients.map((recipient) => {
    const lower = normalizeEmail(recipient);
    const note = holdNote(recipient, hardBounceOf(db, lower));
    const token = newMessageToken(now);
    const as: ParticipantKind = n.kind === 'owner' ? 'owner' : collaborators.includes(lower) ? 'collaborator' : 'contact';
    return insertOutbox(
      db,
      {
        caseId: n.caseId,
        commentId: n.commentId,
        kind: n.kind,
        recipient,
        recipientLower: lower,
        token,
        messageId: outboundMessageId(token, domain),
        status: note === null ? 'pending' : 'held',
        lastError: note,
        replyAddressId: replyAddressFor(db, n.caseId, as, lower, now),
      },
      now,
    );
  });
}

/** The participant's live reply address for the case: the one issued before, else a new one. */
function replyAddressFor(db: Db, caseId: number, kind: ParticipantKind, lower: string, now: number): number {
  const live = liveReplyAddress(db, caseId, kind, lower);
  if (live !== undefined) return live.id;
  return insertReplyAddress(db, { token: newToken(), caseId, kind, addressLower: lower }, now).id;
}
