// Writing notifications: one outbox row per recipient, in the caller's transaction. A recipient
// whose address hard-bounced gets a `held` row (the hold rule of src/domain/outbox.ts).
import type { Db } from '../db/client.js';
import { hardBounceOf } from '../db/bounces.js';
import { insertOutbox } from '../db/outbox.js';
import { newMessageToken, outboundMessageId } from '../domain/mailNames.js';
import { normalizeEmail } from '../domain/address.js';
import { holdNote, type NotificationKind } from '../domain/outbox.js';

export interface Notification {
  caseId: number;
  /** The comment a `comment` row carries; for `history`, the last comment the history covers. */
  commentId: number | null;
  kind: NotificationKind;
  recipients: readonly string[];
}

/** Writes the rows of one notification; returns their ids. Call inside the causing transaction. */
export function enqueueNotification(db: Db, n: Notification, domain: string, now: number): number[] {
  return n.recipients.map((recipient) => {
    const lower = normalizeEmail(recipient);
    const note = holdNote(recipient, hardBounceOf(db, lower));
    const token = newMessageToken(now);
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
      },
      now,
    );
  });
}
