// Comments: the one write shared by the CLI and the inbound pipeline (comment, attachments, the
// case's updated time and the notifications, in the caller's transaction), and `comment add`.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { statementCache, type Db } from '../db/client.js';
import { writeBlob } from '../db/blobs.js';
import type { ParsedAttachment } from '../ingest/parse.js';
import { collaboratorEmails, contactAddress, requireCase, type CaseRow } from '../db/cases.js';
import { getUserByEmail } from './users.js';
import { enqueueNotification } from '../db/notifications.js';
import { commentRecipients, isParticipant, participants } from '../domain/recipients.js';
import { forbidden, invalid } from '../errors.js';

/** An attachment whose content is in the blob store (what the parse stage produces). */
export type StoredAttachment = ParsedAttachment;

export interface NewComment {
  authorEmail: string;
  authorName: string | null;
  body: string;
  fullBody: string;
  source: 'email' | 'cli';
  internal: boolean;
  inboundId: number | null;
  attachments: readonly StoredAttachment[];
}

/** Prepared once per connection. */
const statementsOf = statementCache((db: Db) => {
  const s = db.sqlite;
  return {
    comment: s.prepare(
      `INSERT INTO comments (case_id, author_email, author_name, body, full_body, source, internal, inbound_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    blob: s.prepare('INSERT OR IGNORE INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)'),
    attachment: s.prepare(
      `INSERT INTO attachments (comment_id, sha256, filename, content_type, size, content_id, inline)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    touch: s.prepare('UPDATE cases SET updated_at = ? WHERE id = ?'),
  };
});

/**
 * Writes a comment with its attachments and, when public, one notification row per participant
 * but the author. Call inside the transaction of the change that causes it. Returns the comment id.
 */
export function recordComment(db: Db, config: Config, row: CaseRow, c: NewComment, now: number): number {
  const s = statementsOf(db);
  const info = s.comment.run(
    row.id,
    c.authorEmail,
    c.authorName,
    c.body,
    c.fullBody,
    c.source,
    c.internal ? 1 : 0,
    c.inboundId,
    now,
  );
  const commentId = Number(info.lastInsertRowid);
  for (const a of c.attachments) {
    s.blob.run(a.sha256, a.size, now);
    s.attachment.run(commentId, a.sha256, a.filename, a.contentType, a.size, a.contentId, a.inline ? 1 : 0);
  }
  s.touch.run(now, row.id);
  const to = commentRecipients(
    participants(contactAddress(db, row), collaboratorEmails(db, row.id)),
    c.authorEmail,
    c.internal,
  );
  if (to.length > 0) {
    enqueueNotification(db, { caseId: row.id, commentId, kind: 'comment', recipients: to }, config.domain, now);
  }
  return commentId;
}

export interface CommentInput {
  number: string;
  as: string;
  body?: string;
  file?: string;
  attach?: string[];
  internal?: boolean;
}

/** `comment add`: an agent (user) or a participant of the case writes a comment from the CLI. */
export async function addComment(db: Db, config: Config, input: CommentInput, now = Date.now()) {
  const row = requireCase(db, input.number);
  const user = getUserByEmail(db, input.as);
  const participant = isParticipant(input.as, contactAddress(db, row), collaboratorEmails(db, row.id));
  if (!user && !participant) {
    throw forbidden(
      `${input.as} is neither a user nor a participant of case ${row.number}; comment as a user (casegate user list) or as the contact or a collaborator`,
    );
  }
  if (input.internal && !user) throw forbidden(`only users may write internal comments; ${input.as} is not a user`);
  if ((input.body === undefined) === (input.file === undefined)) {
    throw invalid('the comment text comes from exactly one of --body TEXT or --file F; give one of them');
  }
  const body = input.body ?? readText(input.file as string);
  if (body.trim() === '') throw invalid('the comment is empty; give some text with --body or --file');
  const files = (input.attach ?? []).map((f) => {
    try {
      const stat = fs.statSync(f);
      if (!stat.isFile()) throw new Error('not a file');
      return { path: f, size: stat.size };
    } catch (err) {
      throw invalid(`cannot read attachment ${f}: ${(err as Error).message}; give a readable file with --attach`);
    }
  });
  const attachments: StoredAttachment[] = [];
  for (const f of files) {
    const blob = await writeBlob(db.blobDir, fs.createReadStream(f.path));
    attachments.push({
      filename: path.basename(f.path),
      contentType: contentTypeOf(f.path),
      size: blob.size,
      sha256: blob.sha256,
      contentId: null,
      inline: false,
    });
  }
  const id = db.sqlite.transaction(() =>
    recordComment(
      db,
      config,
      row,
      {
        authorEmail: user?.email ?? input.as,
        authorName: user?.name ?? null,
        body,
        fullBody: body,
        source: 'cli',
        internal: input.internal === true,
        inboundId: null,
        attachments,
      },
      now,
    ),
  )();
  return {
    id,
    case: row.number,
    author: user?.email ?? input.as,
    body,
    source: 'cli',
    internal: input.internal === true,
    createdAt: new Date(now).toISOString(),
    attachments,
  };
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw invalid(`cannot read ${file}: ${(err as Error).message}; give a readable text file with --file`);
  }
}

const TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.zip': 'application/zip',
  '.html': 'text/html',
};

function contentTypeOf(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}
