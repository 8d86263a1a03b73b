// Test data for the outbound side: a throwaway database with a case, comments with attachments
// (bytes written to the blob store) and outbox rows, written through the real services.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { openDb, type Db } from '../../src/db/client.js';
import { blobPath } from '../../src/db/blobs.js';
import { caseById, type CaseRow } from '../../src/db/cases.js';
import { outboxById } from '../../src/db/outbox.js';
import { addComment } from '../../src/cases/comment.js';
import { enqueueNotification } from '../../src/cases/notify.js';
import { openCase } from '../../src/cases/open.js';

export const DOMAIN = 'cases.test';

export interface TempStore {
  db: Db;
  dir: string;
  file: string;
  cleanup(): void;
}

export function tempStore(): TempStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casegate-outbound-'));
  const file = path.join(dir, 'casegate.db');
  const db = openDb(file);
  return {
    db,
    dir,
    file,
    cleanup() {
      try {
        db.close();
      } catch {
        // already closed
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SeededCase {
  id: number;
  number: string;
  subject: string;
  addressToken: string;
  threadRoot: string;
}

export function seedCase(
  db: Db,
  fields: { subject?: string; description?: string; status?: 'New' | 'Working' | 'Escalated' | 'Closed' } = {},
): SeededCase {
  const row = openCase(
    db,
    { domain: DOMAIN },
    {
      subject: fields.subject ?? 'Printer on fire',
      description: fields.description ?? 'The printer in room 4 is on fire.\nPlease help.',
      contact: null,
      accountId: null,
      parent: null,
      priority: 'Medium',
      origin: 'Email',
      ownerId: null,
      assign: false,
      creatorId: null,
      defaultOwnerId: null,
      closed: fields.status === 'Closed',
      notify: false,
      supplied: null,
      threadRoot: null,
    },
    Date.now(),
  );
  return { id: row.id, number: row.number, subject: row.subject, addressToken: row.addressToken, threadRoot: row.threadRoot };
}

export interface SeedAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  contentId?: string;
  inline?: boolean;
}

/**
 * A comment through the comment service (its notifications too: the seeded case has no
 * participants, so there are none). Attachment bytes are put in the blob store first.
 */
export function seedComment(
  db: Db,
  caseId: number,
  fields: { authorEmail?: string; authorName?: string | null; body?: string; internal?: boolean; createdAt?: number; files?: SeedAttachment[] } = {},
): { id: number; sha256: string[] } {
  const body = fields.body ?? 'It is still burning.';
  const files = (fields.files ?? []).map((f) => {
    const sha256 = createHash('sha256').update(f.content).digest('hex');
    const file = blobPath(db.blobDir, sha256);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, f.content);
    return { sha256, filename: f.filename, contentType: f.contentType, size: f.content.length, contentId: f.contentId ?? null, inline: f.inline ?? false };
  });
  const id = addComment(
    db,
    { domain: DOMAIN },
    caseById(db, caseId) as CaseRow,
    {
      authorEmail: fields.authorEmail ?? 'alice@customer.test',
      authorName: fields.authorName === undefined ? 'Alice Example' : fields.authorName,
      body,
      fullBody: body,
      source: 'email',
      internal: fields.internal ?? false,
      inboundId: null,
      attachments: files,
    },
    fields.createdAt ?? Date.now(),
  );
  return { id, sha256: files.map((f) => f.sha256) };
}

/** A notification row through the notification service, due at `nextAttemptAt` (default: now). */
export function seedOutbox(
  db: Db,
  fields: { caseId: number; commentId?: number | null; kind?: 'case-created' | 'comment' | 'history'; recipient: string; nextAttemptAt?: number },
): { id: number; token: string; messageId: string } {
  const [id] = enqueueNotification(
    db,
    { caseId: fields.caseId, commentId: fields.commentId ?? null, kind: fields.kind ?? 'comment', recipients: [fields.recipient] },
    DOMAIN,
    fields.nextAttemptAt ?? Date.now() - 1,
  );
  const row = outboxById(db, id as number);
  if (!row) throw new Error(`outbox row ${id} was not written`);
  return { id: row.id, token: row.token, messageId: row.messageId };
}

/** The outbox row as stored, for assertions. */
export function outboxRow(db: Db, id: number) {
  const row = db.sqlite.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as
    | { status: string; attempts: number; last_error: string | null; response: string | null; sent_at: number | null; lease_owner: string | null; bounced_at: number | null; next_attempt_at: number }
    | undefined;
  if (!row) throw new Error(`no outbox row ${id}`);
  return row;
}
