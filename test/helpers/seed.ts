// Test data, written through the real services (src/cases, src/admin) so that when an invariant
// changes (numbering, thread roots, normalised emails) the seeds cannot drift from it; and the
// reads tests assert on. Two sets: cases as the CLI and mail open them (createCase, ...; the
// people ANN, BOB, EVE, SUPPORT), and the outbound side's throwaway store with a case, comments
// with attachments (bytes in the blob store) and outbox rows (tempStore, seedCase, ...).
import type { Config } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { Readable } from 'node:stream';
import type { NewAttachment } from '../../src/db/attachments.js';
import { caseById, type CaseRow } from '../../src/db/cases.js';
import { outboxById } from '../../src/db/outbox.js';
import { actorFor, addCollaborator as addCollaboratorRow } from '../../src/cases/collaborators.js';
import { addComment as addCommentRow, type NewComment } from '../../src/cases/comment.js';
import { requireCase } from '../../src/cases/find.js';
import { enqueueNotification } from '../../src/cases/notify.js';
import { openCase, type OpenCase } from '../../src/cases/open.js';
import { commentRequest, openCaseRequest, type CaseRequest } from '../../src/cases/request.js';
import { closeCase as closeCaseRow } from '../../src/cases/status.js';
import { caseDetail, type CaseDetail } from '../../src/views/case.js';
import { tempDir } from './tempDir.js';
import { newDatabase, openTestDb, query } from './testDb.js';

/** Contacts of account Acme in the seeded gateway (test/helpers/gateway.ts); EVE is nobody. */
export const ANN = 'ann@acme.example';
export const BOB = 'bob@acme.example';
export const EVE = 'eve@evil.example';
/** The routing address of the seeded gateway. */
export const SUPPORT = 'support@acme-support.example';

/** Opens a case as `casegate case create` would, and returns what `case show` prints. */
/** A case opened by mail with nothing chosen: no contact, account, parent, asset, record type or owner. */
const NO_CHOICES = {
  contact: null,
  accountId: null,
  parent: null,
  asset: null,
  recordType: null,
  fields: {},
  priority: 'Medium',
  origin: 'Email',
  ownerId: null,
} as const;

export function createCase(db: Db, config: Config, request: CaseRequest, now = Date.now()): Promise<CaseDetail> {
  return db.transaction(async (tx) => caseDetail(tx, await openCaseRequest(tx, config, request, now), config.domain));
}

/** What `case show NUMBER` prints. */
export function showCase(db: Db, config: Config, number: string): Promise<CaseDetail> {
  return db.transaction(async (tx) => caseDetail(tx, await requireCase(tx, number), config.domain), 'read');
}

export function closeCase(db: Db, config: Config, number: string, now = Date.now()): Promise<CaseDetail> {
  return db.transaction(async (tx) => caseDetail(tx, await closeCaseRow(tx, await requireCase(tx, number), now), config.domain));
}

/** Adds a collaborator as `casegate collaborator add NUMBER EMAIL [--as AS]` would (history email queued). */
export async function addCollaborator(db: Db, config: Config, number: string, email: string, as?: string, now = Date.now()): Promise<void> {
  await db.transaction(async (tx) => {
    const row = await requireCase(tx, number);
    await addCollaboratorRow(tx, config, row, email, await actorFor(tx, row, as), now);
  });
}

/** Writes a comment as `casegate comment add NUMBER --as AS --body BODY` would. */
export async function addComment(db: Db, config: Config, c: { number: string; as: string; body: string; internal?: boolean }, now = Date.now()): Promise<number> {
  const row = await db.transaction((tx) => requireCase(tx, c.number), 'read');
  return (await commentRequest(db, config, row, { as: c.as, body: c.body, internal: c.internal === true, attachments: [] }, now)).id;
}

let mailCount = 0;

/**
 * Opens a case as the inbound pipeline does for a sender it could not link to a contact: the
 * sender is kept as the case's supplied email and name (src/ingest/apply.ts).
 */
export function openCaseFromMail(
  db: Db,
  config: Config,
  m: { subject: string; from: { email: string; name: string }; messageId?: string },
  now = Date.now(),
): Promise<CaseDetail> {
  const threadRoot = m.messageId ?? `<opened.${++mailCount}.${now}@mail.example>`;
  return db.transaction(async (tx) => {
    const row = await openCase(
      tx,
      config,
      {
        subject: m.subject,
        description: '',
        ...NO_CHOICES,
        assign: true,
        creatorId: null,
        defaultOwnerId: null,
        closed: false,
        notify: true,
        supplied: { email: m.from.email, name: m.from.name },
        threadRoot,
      },
      now,
    );
    return caseDetail(tx, row, config.domain);
  });
}

/** Rows of `table` matching `where` (SQL, with `params`), read back for assertions. */
export async function countRows(db: Db, table: string, where = '1 = 1', ...params: unknown[]): Promise<number> {
  const [row] = await query<{ n: number }>(db, `SELECT count(*) AS n FROM ${table} WHERE ${where}`, params);
  return row?.n ?? 0;
}

// The outbound side: a store of its own with cases in DOMAIN.

export const DOMAIN = 'cases.test';

export interface TempStore {
  db: Db;
  dir: string;
  file: string;
  cleanup(): Promise<void>;
}

/** A new database (test/helpers/testDb.ts) in its own folder under os.tmpdir(). */
export async function tempStore(): Promise<TempStore> {
  const { dir, cleanup } = tempDir('outbound');
  const file = await newDatabase(dir);
  const db = await openTestDb(file, dir);
  return {
    db,
    dir,
    file,
    async cleanup() {
      await db.close().catch(() => undefined);
      cleanup();
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

export async function seedCase(
  db: Db,
  fields: { subject?: string; description?: string; status?: 'New' | 'Working' | 'Escalated' | 'Closed' } = {},
): Promise<SeededCase> {
  const input: OpenCase = {
    subject: fields.subject ?? 'Printer on fire',
    description: fields.description ?? 'The printer in room 4 is on fire.\nPlease help.',
    ...NO_CHOICES,
    assign: false,
    creatorId: null,
    defaultOwnerId: null,
    closed: fields.status === 'Closed',
    notify: false,
    supplied: null,
    threadRoot: null,
  };
  const row = await db.transaction((tx) => openCase(tx, { domain: DOMAIN }, input, Date.now()));
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
export async function seedComment(
  db: Db,
  caseId: number,
  fields: { authorEmail?: string; authorName?: string | null; body?: string; internal?: boolean; createdAt?: number; files?: SeedAttachment[] } = {},
): Promise<{ id: number; sha256: string[] }> {
  const body = fields.body ?? 'It is still burning.';
  const files: NewAttachment[] = [];
  for (const f of fields.files ?? []) {
    const blob = await db.blobs.write(Readable.from([f.content]));
    files.push({ sha256: blob.sha256, filename: f.filename, contentType: f.contentType, size: blob.size, contentId: f.contentId ?? null, inline: f.inline ?? false, spool: blob.spool });
  }
  const comment: NewComment = {
    authorEmail: fields.authorEmail ?? 'alice@customer.test',
    authorName: fields.authorName === undefined ? 'Alice Example' : fields.authorName,
    body,
    fullBody: body,
    source: 'email',
    internal: fields.internal ?? false,
    inboundId: null,
    attachments: files,
  };
  const at = fields.createdAt ?? Date.now();
  try {
    const id = await db.transaction(async (tx) => addCommentRow(tx, { domain: DOMAIN, notifyOwner: true }, await caseById(tx, caseId) as CaseRow, comment, at));
    return { id, sha256: files.map((f) => f.sha256) };
  } finally {
    await db.blobs.release(files);
  }
}

/** A notification row through the notification service, due at `nextAttemptAt` (default: now). */
export async function seedOutbox(
  db: Db,
  fields: { caseId: number; commentId?: number | null; kind?: 'case-created' | 'comment' | 'history' | 'owner'; recipient: string; nextAttemptAt?: number },
): Promise<{ id: number; token: string; messageId: string }> {
  const row = await db.transaction(async (tx) => {
    const [id] = await enqueueNotification(
      tx,
      { caseId: fields.caseId, commentId: fields.commentId ?? null, kind: fields.kind ?? 'comment', recipients: [fields.recipient] },
      DOMAIN,
      fields.nextAttemptAt ?? Date.now() - 1,
    );
    return outboxById(tx, id as number);
  });
  if (!row) throw new Error(`the outbox row for ${fields.recipient} was not written`);
  return { id: row.id, token: row.token, messageId: row.messageId };
}

/** The outbox row as stored, for assertions. */
export async function outboxRow(db: Db, id: number) {
  const [row] = await query<{
    status: string;
    attempts: number;
    last_error: string | null;
    response: string | null;
    sent_at: number | null;
    lease_owner: string | null;
    bounced_at: number | null;
    next_attempt_at: number;
  }>(db, 'SELECT * FROM outbox WHERE id = ?', [id]);
  if (!row) throw new Error(`no outbox row ${id}`);
  return row;
}
