// Adding a comment (SPEC §2.8, §5): the comment, its attachments, the case's updated time, one
// notification row per participant but the author, and one for the case owner when someone else
// wrote a public comment (CASEGATE_NOTIFY_OWNER), in the caller's transaction.
import type { Config } from '../config.js';
import type { Tx } from '../db/engine.js';
import type { CaseRow } from '../db/cases.js';
import { touchCase } from '../db/cases.js';
import { insertComment } from '../db/comments.js';
import { insertAttachment, type NewAttachment } from '../db/attachments.js';
import { userById } from '../db/users.js';
import { normalizeEmail } from '../domain/address.js';
import { commentRecipients } from '../domain/recipients.js';
import { enqueueNotification } from './notify.js';
import { participantsOf, type Participants } from './participants.js';

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
  /** The sender authentication of the mail it came from (JSON text); absent otherwise. */
  auth?: string | null;
  /** Attachments whose content is already in the blob store. */
  attachments: readonly NewAttachment[];
  /** false: no notification is queued (historic mail brought in by `casegate import`); default true. */
  notify?: boolean;
  /**
   * The case's participants when the caller read them in this transaction and changed none since
   * (a mailed reply: its facts); read here otherwise.
   */
  participants?: Participants;
}

/** Writes the comment and its notifications; returns the comment id. */
export async function addComment(tx: Tx, config: Pick<Config, 'domain' | 'notifyOwner'>, row: CaseRow, c: NewComment, now: number): Promise<number> {
  const commentId = await insertComment(
    tx,
    {
      caseId: row.id,
      authorEmail: c.authorEmail,
      authorName: c.authorName,
      body: c.body,
      fullBody: c.fullBody,
      source: c.source,
      internal: c.internal,
      inboundId: c.inboundId,
      auth: c.auth ?? null,
    },
    now,
  );
  for (const a of c.attachments) await insertAttachment(tx, commentId, a, now);
  await touchCase(tx, row.id, now);
  if (c.notify === false) return commentId;
  const parties = c.participants ?? (await participantsOf(tx, row));
  const to = commentRecipients(parties.all, c.authorEmail, c.internal);
  if (to.length > 0) {
    await enqueueNotification(tx, { caseId: row.id, commentId, kind: 'comment', recipients: to, collaborators: parties.collaborators }, config.domain, now);
  }
  const owner = config.notifyOwner ? await ownerToNotify(tx, row, c, to) : null;
  if (owner !== null) await enqueueNotification(tx, { caseId: row.id, commentId, kind: 'owner', recipients: [owner] }, config.domain, now);
  return commentId;
}

/**
 * The owner's address when they are to hear of this comment: a public one written by someone else,
 * to an owner who does not already get it as a participant. Null otherwise.
 */
async function ownerToNotify(tx: Tx, row: CaseRow, c: NewComment, participantsTold: readonly string[]): Promise<string | null> {
  if (c.internal || row.ownerId === null) return null;
  const owner = await userById(tx, row.ownerId);
  if (owner === undefined) return null;
  const lower = normalizeEmail(owner.email);
  if (lower === normalizeEmail(c.authorEmail) || participantsTold.some((p) => normalizeEmail(p) === lower)) return null;
  return owner.email;
}
