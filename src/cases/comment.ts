// Adding a comment (SPEC §2.8, §5): the comment, its attachments, the case's updated time and one
// notification row per participant but the author, in the caller's transaction.
import type { Config } from '../config.js';
import { transaction, type Db } from '../db/client.js';
import type { CaseRow } from '../db/cases.js';
import { touchCase } from '../db/cases.js';
import { insertComment } from '../db/comments.js';
import { insertAttachment, type NewAttachment } from '../db/attachments.js';
import { commentRecipients } from '../domain/recipients.js';
import { enqueueNotification } from './notify.js';
import { participantsOf } from './participants.js';

/** Where a comment came from: mail, the CLI, the Web-to-Case form or the HTTP API. */
export type CommentSource = 'email' | 'cli' | 'web' | 'api';

export interface NewComment {
  authorEmail: string;
  authorName: string | null;
  body: string;
  fullBody: string;
  source: CommentSource;
  internal: boolean;
  /** The inbound log row the comment came from (mail), or null. */
  inboundId: number | null;
  /** Attachments whose content is already in the blob store. */
  attachments: readonly NewAttachment[];
}

/** Writes the comment and its notifications; returns the comment id. */
export function addComment(db: Db, config: Pick<Config, 'domain'>, row: CaseRow, c: NewComment, now: number): number {
  return transaction(db, () => {
    const commentId = insertComment(
      db,
      {
        caseId: row.id,
        authorEmail: c.authorEmail,
        authorName: c.authorName,
        body: c.body,
        fullBody: c.fullBody,
        source: c.source,
        internal: c.internal,
        inboundId: c.inboundId,
      },
      now,
    );
    for (const a of c.attachments) insertAttachment(db, commentId, a, now);
    touchCase(db, row.id, now);
    const to = commentRecipients(participantsOf(db, row).all, c.authorEmail, c.internal);
    if (to.length > 0) enqueueNotification(db, { caseId: row.id, commentId, kind: 'comment', recipients: to }, config.domain, now);
    return commentId;
  });
}
