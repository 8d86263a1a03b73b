// Case writes asked for by a person (the CLI today, the HTTP API later): references as typed
// (contact id or email, user emails, case numbers) are checked and resolved, then the services of
// this folder do the work.
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Tx } from '../db/engine.js';
import type { CaseRow } from '../db/cases.js';
import { userByEmail } from '../db/users.js';
import { isParticipant } from '../domain/recipients.js';
import { forbidden, invalid, notFound } from '../errors.js';
import { requireAccount } from '../admin/accounts.js';
import { requireRecordType } from '../admin/recordTypes.js';
import { parseFieldAssignments } from '../domain/recordTypes.js';
import { insertNewAsset, requireAsset, type AssetDetails } from '../admin/assets.js';
import { requireContact } from '../admin/contacts.js';
import { requireUserByEmail } from '../admin/users.js';
import { requirePriority } from '../admin/input.js';
import { requirePermission, requireUserAllowed, userActor } from '../admin/permissions.js';
import type { NewAttachment } from '../db/attachments.js';
import { addComment, type CommentSource, type NewComment } from './comment.js';
import { requireCase } from './find.js';
import { openCase } from './open.js';
import { participantsOf } from './participants.js';

export interface CaseRequest {
  subject: string;
  description?: string;
  /** Contact by id or email. */
  contact?: string | null;
  account?: string | number | null;
  /** Parent case number. */
  parent?: string | null;
  /** An existing asset by id or serial number. */
  asset?: string | null;
  /** An asset to create for the case's contact (or account) on the way (Salesforce Quick Create). */
  newAsset?: AssetDetails | null;
  priority?: string | null;
  origin?: string | null;
  /** A record type by name. */
  recordType?: string | null;
  /** Values of its custom fields as `KEY=VALUE`. */
  fields?: readonly string[];
  /** A user's email. */
  owner?: string | null;
  closed?: boolean;
  notify?: boolean;
  assign?: boolean;
  /** The creator: a user's email. */
  as?: string | null;
}

/** `case create`: opens a case from references as typed. */
/**
 * `case create`: opens a case from references as typed, in the caller's write transaction (a
 * refusal after the insert, the default owner below, then leaves nothing behind).
 */
export async function openCaseRequest(tx: Tx, config: Pick<Config, 'domain' | 'defaultOwner'>, r: CaseRequest, now = Date.now()): Promise<CaseRow> {
  if (r.subject.trim() === '') throw invalid('a case needs a subject; give --subject "..."');
  const contact = r.contact ? await requireContact(tx, r.contact) : null;
  const accountId = r.account == null ? null : (await requireAccount(tx, r.account, '--account')).id;
  const parent = r.parent ? await requireCase(tx, r.parent) : null;
  if (r.asset && r.newAsset) throw invalid('--asset names an existing asset and --new-asset creates one; give only one of them');
  let asset = r.asset ? await requireAsset(tx, r.asset) : null;
  if (r.newAsset) {
    const owner = { contactId: contact?.id ?? null, accountId: accountId ?? contact?.accountId ?? null };
    if (owner.contactId === null && owner.accountId === null) {
      throw invalid('a new asset belongs to the case\'s contact or account; give --contact or --account with --new-asset');
    }
    // Inside the caller's transaction: a later refusal removes the asset again.
    asset = await insertNewAsset(tx, r.newAsset, owner, now);
  }
  const recordType = r.recordType ? await requireRecordType(tx, r.recordType) : null;
  const fields = requireAssignments(r.fields ?? []);
  // A record type's defaults replace the global ones.
  const priority = r.priority ? requirePriority(r.priority) : (recordType?.defaultPriority ?? 'Medium');
  const owner = r.owner ? await requireUserByEmail(tx, r.owner, 'owner') : null;
  const creator = r.as ? await requireUserAllowed(tx, r.as, 'create', 'create cases', 'creator (--as)') : null;
  const assign = r.assign !== false;
  // An admin at the CLI can fix a default owner that names no user, so it is refused here; mail
  // never is (the case opens without an owner, see src/ingest/apply.ts).
  const defaultOwner = config.defaultOwner === null ? undefined : await userByEmail(tx, config.defaultOwner);
  const needsDefault = owner === null && assign && config.defaultOwner !== null && defaultOwner === undefined;
  const row = await openCase(
    tx,
    config,
    {
      subject: r.subject,
      description: r.description ?? '',
      contact,
      accountId,
      parent,
      asset,
      priority,
      origin: r.origin?.trim() || recordType?.defaultOrigin || 'CLI',
      recordType,
      fields,
      ownerId: owner?.id ?? null,
      assign,
      creatorId: creator?.id ?? null,
      defaultOwnerId: defaultOwner?.id ?? null,
      closed: r.closed === true,
      notify: r.notify !== false,
      supplied: null,
      threadRoot: null,
    },
    now,
  );
  if (needsDefault && row.ownerId === null) {
    throw notFound(
      `the default case owner ${config.defaultOwner} (CASEGATE_DEFAULT_OWNER) is not a user; create it with "casegate user create --email ${config.defaultOwner} --name NAME"`,
    );
  }
  return row;
}

/** `--field KEY=VALUE` pairs as a map; a pair without `=` is refused. */
export function requireAssignments(pairs: readonly string[]): Record<string, string> {
  const parsed = parseFieldAssignments(pairs);
  if ('problem' in parsed) throw invalid(`${parsed.problem}; give each field as --field KEY=VALUE`);
  return parsed.values;
}

/** An attachment to store: its name, type and a way to read its bytes. */
export interface AttachmentSource {
  filename: string;
  contentType: string;
  open(): Readable;
}

export interface CommentRequest {
  /** Who writes: a user, or a participant of the case. */
  as: string;
  body: string;
  internal: boolean;
  attachments: readonly AttachmentSource[];
  /** Default `cli`. */
  source?: CommentSource;
}

/**
 * `comment add`: an agent (user) or a participant of the case writes a comment. Who may is checked
 * before any attachment is stored; the attachments are written to the blob store before the
 * comment's own transaction, which this opens.
 */
export async function commentRequest(
  db: Db,
  config: Pick<Config, 'domain' | 'notifyOwner'>,
  row: CaseRow,
  r: CommentRequest,
  now = Date.now(),
): Promise<{ id: number; author: string; attachments: Array<Omit<NewAttachment, 'spool'>> }> {
  const user = await db.transaction(async (tx) => {
    const found = await userByEmail(tx, r.as);
    // A comment changes the case: a user needs Edit on cases; participants write as today.
    if (found) requirePermission(userActor(found), 'edit', `comment on case ${row.number}`);
    if (!found && !isParticipant(r.as, null, (await participantsOf(tx, row)).all)) {
      throw forbidden(
        `${r.as} is neither a user nor a participant of case ${row.number}; comment as a user (casegate user list) or as the contact or a collaborator`,
      );
    }
    return found;
  }, 'read');
  if (r.internal && !user) throw forbidden(`only users may write internal comments; ${r.as} is not a user`);
  if (r.body.trim() === '') throw invalid('the comment is empty; give some text with --body or --file');
  const attachments: NewAttachment[] = [];
  try {
    for (const a of r.attachments) {
      const blob = await db.blobs.write(a.open());
      attachments.push({ filename: a.filename, contentType: a.contentType, size: blob.size, sha256: blob.sha256, contentId: null, inline: false, spool: blob.spool });
    }
    const id = await db.transaction((tx) => addComment(tx, config, row, commentOf(r, user, attachments), now));
    // The spool file is the store's own business, not the comment's.
    return { id, author: user?.email ?? r.as, attachments: attachments.map(({ spool: _spool, ...a }) => a) };
  } finally {
    // Committed or not: what no row names goes (the database store's spool files always); a
    // failure here leaves files for `casegate gc`, and the comment's outcome stands.
    await db.blobs.release(attachments).catch((err: unknown) => console.error(`casegate: could not let go of attachment files: ${(err as Error).message}`));
  }
}

function commentOf(r: CommentRequest, user: { email: string; name: string | null } | undefined, attachments: NewAttachment[]): NewComment {
  return {
    authorEmail: user?.email ?? r.as,
    authorName: user?.name ?? null,
    body: r.body,
    fullBody: r.body,
    source: r.source ?? 'cli',
    internal: r.internal,
    inboundId: null,
    attachments,
  };
}
