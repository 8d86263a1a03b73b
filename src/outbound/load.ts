// Everything `composeNotification` needs for one outbox row, read from the database. A row whose
// case, comment or attachment contents are gone cannot be sent by retrying, so those are
// permanent errors.
import type { Tx } from '../db/engine.js';
import type { Config } from '../config.js';
import type { BlobStore } from '../db/blobStore.js';
import { caseById } from '../db/cases.js';
import { commentOfCase, publicCommentsUpTo, type CommentRow } from '../db/comments.js';
import { attachmentsOf } from '../db/attachments.js';
import type { OutboxRow } from '../db/outbox.js';
import { contactById } from '../db/contacts.js';
import { openedViaOfCase } from '../db/inbound.js';
import { routingById } from '../db/routing.js';
import { firstNameFor } from '../domain/routingRules.js';
import { replyAddressById } from '../db/replyAddresses.js';
import { NOTIFICATION_KINDS, type NotificationKind } from '../domain/outbox.js';
import type { AttachmentView, CommentView, NotificationInput } from './compose.js';
import { PermanentDeliveryError } from './retry.js';
import { collaboratorByEmail } from '../db/collaborators.js';
import { secretIfMade } from '../db/secrets.js';
import { PORTAL_KEY_NAME, SIGN_IN_MS, signInLinkToken, unsubscribeToken } from '../domain/portal.js';

/** Reads the row's notification in `tx`; the attachments' contents must be in `blobs` (read when sent). */
export async function loadNotification(
  tx: Tx,
  config: Pick<Config, 'from' | 'domain' | 'publicUrl'>,
  blobs: Pick<BlobStore, 'where' | 'source' | 'missing'>,
  row: OutboxRow,
): Promise<NotificationInput> {
  if (!(NOTIFICATION_KINDS as readonly string[]).includes(row.kind)) {
    throw new PermanentDeliveryError(`outbox row ${row.id} has unknown kind "${row.kind}"`);
  }
  const kind = row.kind as NotificationKind;
  if (kind === 'sign-in') return loadSignIn(tx, config, blobs, row);
  if (row.caseId === null) throw new PermanentDeliveryError(`outbox row ${row.id} of kind "${kind}" names no case`);
  const caseId = row.caseId;
  const c = await caseById(tx, caseId);
  if (!c) throw new PermanentDeliveryError(`case ${row.caseId} of outbox row ${row.id} no longer exists`);

  let comment: CommentView | null = null;
  let history: CommentView[] = [];
  if (kind === 'comment' || kind === 'owner' || kind === 'unsubscribed') {
    if (row.commentId === null) throw new PermanentDeliveryError(`outbox row ${row.id} is a comment notification without a comment`);
    const found = await commentOfCase(tx, row.commentId, caseId);
    if (!found) throw new PermanentDeliveryError(`comment ${row.commentId} of outbox row ${row.id} no longer exists`);
    comment = (await withAttachments(tx, [found]))[0] as CommentView;
    await requireBlobs(tx, blobs, row.id, comment.attachments);
  } else if (kind === 'history' && row.commentId !== null) {
    history = await withAttachments(tx, await publicCommentsUpTo(tx, caseId, row.commentId));
  }

  let autoResponse: NotificationInput['autoResponse'];
  if (kind === 'auto-response') {
    // The template of the routing address the case was opened through, as it is now.
    const via = await openedViaOfCase(tx, c.id);
    const routing = via === undefined ? undefined : await routingById(tx, via);
    if (routing?.autoResponse == null) {
      throw new PermanentDeliveryError(`the routing address of case ${c.number} no longer has an auto-response (outbox row ${row.id}); nothing to send`);
    }
    const contact = c.contactId === null ? undefined : await contactById(tx, c.contactId);
    autoResponse = { template: routing.autoResponse, firstName: firstNameFor(contact?.firstName ?? null, c.suppliedName) };
  }

  return {
    from: config.from,
    domain: config.domain,
    contentOf: (sha256, size) => blobs.source(sha256, size),
    row: {
      kind,
      recipient: row.recipient,
      token: row.token,
      messageId: row.messageId,
      // Rows written before reply addresses offer the case-level address, as they always did.
      replyToken: row.replyAddressId === null ? null : ((await replyAddressById(tx, row.replyAddressId))?.token ?? null),
    },
    case: {
      number: c.number,
      subject: c.subject,
      description: c.description,
      status: c.status,
      addressToken: c.addressToken,
      threadRoot: c.threadRoot,
    },
    comment,
    history,
    ...(autoResponse ? { autoResponse } : {}),
    ...(await unsubscribeOf(tx, config, kind, caseId, row.recipient)),
  };
}

/** A sign-in row: the one-time link, made from the row's token and the portal key (SPEC §11). */
async function loadSignIn(tx: Tx, config: Pick<Config, 'from' | 'domain' | 'publicUrl'>, blobs: Pick<BlobStore, 'source'>, row: OutboxRow): Promise<NotificationInput> {
  const key = await secretIfMade(tx, PORTAL_KEY_NAME);
  if (key === undefined || config.publicUrl === null) {
    throw new PermanentDeliveryError(`sign-in mail of outbox row ${row.id} needs CASEGATE_PUBLIC_URL (or CASEGATE_HTTP_PORT) to make its link; the person can ask for a new link`);
  }
  return {
    from: config.from,
    domain: config.domain,
    contentOf: (sha256, size) => blobs.source(sha256, size),
    row: { kind: 'sign-in', recipient: row.recipient, token: row.token, messageId: row.messageId, replyToken: null },
    case: null,
    comment: null,
    history: [],
    signIn: { link: `${config.publicUrl}/help/s/${signInLinkToken(key, row.token)}`, minutes: SIGN_IN_MS / 60_000 },
  };
}

/** Kinds of mail a collaborator may stop with one click (not the owner's, not an acknowledgement). */
const UNSUBSCRIBABLE: readonly NotificationKind[] = ['case-created', 'comment', 'history'];

/** The one-click unsubscribe link of a collaborator's notification (RFC 8058), when there is one to offer. */
async function unsubscribeOf(tx: Tx, config: Pick<Config, 'publicUrl'>, kind: NotificationKind, caseId: number, recipient: string): Promise<{ unsubscribeUrl?: string }> {
  if (config.publicUrl === null || !UNSUBSCRIBABLE.includes(kind)) return {};
  const collaborator = await collaboratorByEmail(tx, caseId, recipient);
  const key = collaborator === undefined ? undefined : await secretIfMade(tx, PORTAL_KEY_NAME);
  if (collaborator === undefined || key === undefined) return {};
  return { unsubscribeUrl: `${config.publicUrl}/help/unsubscribe/${unsubscribeToken(key, { collaboratorId: collaborator.id, caseId, email: collaborator.email })}` };
}

async function withAttachments(tx: Tx, comments: readonly CommentRow[]): Promise<CommentView[]> {
  const files = await attachmentsOf(
    tx,
    comments.map((c) => c.id),
  );
  return comments.map((c) => ({
    id: c.id,
    authorEmail: c.authorEmail,
    authorName: c.authorName,
    body: c.body,
    createdAt: c.createdAt,
    attachments: files
      .filter((a) => a.commentId === c.id)
      .map((a) => ({ sha256: a.sha256, filename: a.filename, contentType: a.contentType, size: a.size, contentId: a.contentId, inline: a.inline })),
  }));
}

async function requireBlobs(tx: Tx, blobs: Pick<BlobStore, 'where' | 'missing'>, rowId: number, attachments: readonly AttachmentView[]): Promise<void> {
  if (attachments.length === 0) return;
  const missing = new Set(await blobs.missing(tx, attachments.map((a) => a.sha256)));
  for (const a of attachments) {
    if (missing.has(a.sha256)) {
      throw new PermanentDeliveryError(
        `attachment "${a.filename}" (sha256 ${a.sha256}) of outbox row ${rowId} is missing from ${blobs.where}; ` +
          `restore it, then run "casegate outbox retry ${rowId}"`,
      );
    }
  }
}
