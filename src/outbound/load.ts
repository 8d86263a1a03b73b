// Everything `composeNotification` needs for one outbox row, read from the database. A row whose
// case, comment or attachment contents are gone cannot be sent by retrying, so those are
// permanent errors.
import fs from 'node:fs';
import type { Db } from '../db/client.js';
import type { Config } from '../config.js';
import { blobFilePath, type AttachmentView, type CommentView, type NotificationInput, type NotificationKind } from './compose.js';
import { PermanentDeliveryError } from './retry.js';
import type { OutboxRow } from './queue.js';

const KINDS: readonly string[] = ['case-created', 'comment', 'history'];

interface CaseRow {
  number: string;
  subject: string;
  description: string;
  status: string;
  addressToken: string;
  threadRoot: string;
}

type CommentRow = Omit<CommentView, 'attachments'>;
type AttachmentRow = Omit<AttachmentView, 'inline'> & { commentId: number; inline: number };

export function loadNotification(db: Db, config: Pick<Config, 'from' | 'domain'>, row: OutboxRow): NotificationInput {
  if (!KINDS.includes(row.kind)) {
    throw new PermanentDeliveryError(`outbox row ${row.id} has unknown kind "${row.kind}"`);
  }
  const kind = row.kind as NotificationKind;
  const c = db.sqlite
    .prepare<[number], CaseRow>(
      `SELECT number, subject, description, status, address_token AS addressToken, thread_root AS threadRoot
         FROM cases WHERE id = ?`,
    )
    .get(row.caseId);
  if (!c) throw new PermanentDeliveryError(`case ${row.caseId} of outbox row ${row.id} no longer exists`);

  let comment: CommentView | null = null;
  let history: CommentView[] = [];
  if (kind === 'comment') {
    if (row.commentId === null) throw new PermanentDeliveryError(`outbox row ${row.id} is a comment notification without a comment`);
    const found = loadComments(db, 'id = ? AND case_id = ?', row.commentId, row.caseId);
    comment = found[0] ?? null;
    if (!comment) throw new PermanentDeliveryError(`comment ${row.commentId} of outbox row ${row.id} no longer exists`);
    requireBlobs(db, row.id, comment.attachments);
  } else if (kind === 'history' && row.commentId !== null) {
    history = loadComments(db, 'case_id = ? AND internal = 0 AND id <= ?', row.caseId, row.commentId);
  }

  return {
    from: config.from,
    domain: config.domain,
    blobDir: db.blobDir,
    row: { kind, recipient: row.recipient, token: row.token, messageId: row.messageId },
    case: c,
    comment,
    history,
  };
}

/** The comments matching `where` (a condition on `comments`), oldest first, with their attachments. */
function loadComments(db: Db, where: string, ...params: number[]): CommentView[] {
  const comments = db.sqlite
    .prepare<number[], CommentRow>(
      `SELECT id, author_email AS authorEmail, author_name AS authorName, body, created_at AS createdAt
         FROM comments WHERE ${where} ORDER BY id`,
    )
    .all(...params);
  if (comments.length === 0) return [];
  const attachments = db.sqlite
    .prepare<number[], AttachmentRow>(
      `SELECT comment_id AS commentId, sha256, filename, content_type AS contentType, size,
              content_id AS contentId, inline
         FROM attachments WHERE comment_id IN (SELECT id FROM comments WHERE ${where}) ORDER BY id`,
    )
    .all(...params);
  return comments.map((c) => ({
    ...c,
    attachments: attachments
      .filter((a) => a.commentId === c.id)
      .map(({ commentId: _commentId, ...a }) => ({ ...a, inline: a.inline === 1 })),
  }));
}

function requireBlobs(db: Db, rowId: number, attachments: readonly AttachmentView[]): void {
  for (const a of attachments) {
    if (!fs.existsSync(blobFilePath(db.blobDir, a.sha256))) {
      throw new PermanentDeliveryError(
        `attachment "${a.filename}" (sha256 ${a.sha256}) of outbox row ${rowId} is missing from ${db.blobDir}; ` +
          `restore it, then run "casegate outbox retry ${rowId}"`,
      );
    }
  }
}
