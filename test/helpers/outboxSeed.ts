// Test data for the outbound side: a throwaway database with a case, comments with attachments
// (bytes written to the blob store) and outbox rows, inserted directly with drizzle.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { openDb, type Db } from '../../src/db/client.js';
import { attachments, blobs, cases, comments, outbox } from '../../src/db/schema.js';
import { caseNumberOf, newToken, outboundMessageId, threadRootId } from '../../src/domain/mailNames.js';

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

let caseSeq = 0;

export function seedCase(
  db: Db,
  fields: { subject?: string; description?: string; status?: string } = {},
): SeededCase {
  const now = Date.now();
  const seq = ++caseSeq;
  const placeholder = `0000${String(seq).padStart(4, '0')}-${newToken()}`;
  const subject = fields.subject ?? 'Printer on fire';
  const row = db.orm
    .insert(cases)
    .values({
      number: placeholder,
      subject,
      description: fields.description ?? 'The printer in room 4 is on fire.\nPlease help.',
      status: fields.status ?? 'New',
      priority: 'Medium',
      origin: 'Email',
      addressToken: newToken(),
      threadRoot: `<pending.${placeholder}@${DOMAIN}>`,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get();
  const number = caseNumberOf(row.id);
  const threadRoot = threadRootId(number, DOMAIN);
  db.sqlite.prepare('UPDATE cases SET number = ?, thread_root = ? WHERE id = ?').run(number, threadRoot, row.id);
  return { id: row.id, number, subject, addressToken: row.addressToken, threadRoot };
}

export interface SeedAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  contentId?: string;
  inline?: boolean;
}

export function seedComment(
  db: Db,
  caseId: number,
  fields: { authorEmail?: string; authorName?: string | null; body?: string; internal?: boolean; createdAt?: number; files?: SeedAttachment[] } = {},
): { id: number; sha256: string[] } {
  const body = fields.body ?? 'It is still burning.';
  const row = db.orm
    .insert(comments)
    .values({
      caseId,
      authorEmail: fields.authorEmail ?? 'alice@customer.test',
      authorName: fields.authorName === undefined ? 'Alice Example' : fields.authorName,
      body,
      fullBody: body,
      source: 'email',
      internal: fields.internal ?? false,
      createdAt: fields.createdAt ?? Date.now(),
    })
    .returning()
    .get();
  const sha256: string[] = [];
  for (const f of fields.files ?? []) {
    const sha = createHash('sha256').update(f.content).digest('hex');
    const file = path.join(db.blobDir, sha.slice(0, 2), sha);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, f.content);
    db.orm.insert(blobs).values({ sha256: sha, size: f.content.length, createdAt: Date.now() }).onConflictDoNothing().run();
    db.orm
      .insert(attachments)
      .values({
        commentId: row.id,
        sha256: sha,
        filename: f.filename,
        contentType: f.contentType,
        size: f.content.length,
        contentId: f.contentId ?? null,
        inline: f.inline ?? false,
      })
      .run();
    sha256.push(sha);
  }
  return { id: row.id, sha256 };
}

export function seedOutbox(
  db: Db,
  fields: { caseId: number; commentId?: number | null; kind?: 'case-created' | 'comment' | 'history'; recipient: string; nextAttemptAt?: number },
): { id: number; token: string; messageId: string } {
  const token = newToken();
  const messageId = outboundMessageId(token, DOMAIN);
  const row = db.orm
    .insert(outbox)
    .values({
      caseId: fields.caseId,
      commentId: fields.commentId ?? null,
      kind: fields.kind ?? 'comment',
      recipient: fields.recipient,
      recipientLower: fields.recipient.toLowerCase(),
      token,
      messageId,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: fields.nextAttemptAt ?? Date.now() - 1,
      createdAt: Date.now(),
    })
    .returning()
    .get();
  return { id: row.id, token, messageId };
}

/** The outbox row as stored, for assertions. */
export function outboxRow(db: Db, id: number) {
  const row = db.sqlite.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as
    | { status: string; attempts: number; last_error: string | null; response: string | null; sent_at: number | null; lease_owner: string | null; bounced_at: number | null; next_attempt_at: number }
    | undefined;
  if (!row) throw new Error(`no outbox row ${id}`);
  return row;
}
