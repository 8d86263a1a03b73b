// Writing notifications: one outbox row per recipient, in the caller's transaction. A recipient
// whose address hard-bounced gets a `held` row (the hold rule of src/domain/outbox.ts). Every row
// offers its recipient's own reply address for the case (SPEC §4 *Sender trust*), issued on their
// first notification and reused for the later ones.
import type { Tx } from '../db/engine.js';
import { hardBounceOf } from '../db/bounces.js';
import { collaboratorEmails } from '../db/collaborators.js';
import { insertOutbox, wakeDispatchers } from '../db/outbox.js';
import { issueReplyAddress, liveReplyAddress } from '../db/replyAddresses.js';
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
export async function enqueueNotification(tx: Tx, n: Notification, domain: string, now: number): Promise<number[]> {
  const collaborators = n.kind === 'owner' ? [] : (n.collaborators ?? await collaboratorEmails(tx, n.caseId)).map(normalizeEmail);
  const ids: number[] = [];
  let pending = false;
  for (const recipient of n.recipients) {
    const lower = normalizeEmail(recipient);
    const note = holdNote(recipient, await hardBounceOf(tx, lower));
    const token = newMessageToken(now);
    const as: ParticipantKind = n.kind === 'owner' ? 'owner' : collaborators.includes(lower) ? 'collaborator' : 'contact';
    const replyAddressId = await replyAddressFor(tx, n.caseId, as, lower, now);
    pending ||= note === null;
    ids.push(
      await insertOutbox(
        tx,
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
          replyAddressId,
        },
        now,
      ),
    );
  }
  // Every row ever written comes through here: the one place that wakes the dispatchers.
  if (pending) await wakeDispatchers(tx);
  return ids;
}

/** The participant's live reply address for the case: the one issued before, else a new one. */
async function replyAddressFor(tx: Tx, caseId: number, kind: ParticipantKind, lower: string, now: number): Promise<number> {
  const live = await liveReplyAddress(tx, caseId, kind, lower);
  if (live !== undefined) return live.id;
  return issueReplyAddress(tx, { token: newToken(), caseId, kind, addressLower: lower }, now);
}
