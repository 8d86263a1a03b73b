// The data model of casegate on PostgreSQL: the same tables, columns, defaults, uniques and indexes
// as schema.ts (SQLite), which explains each column; test/db/schemas.test.ts holds the two together.
// drizzle-kit makes migrations/postgres/ from this file (`npm run db:generate:postgres`).
//
// Types: ids come from an identity sequence (case numbers are made from the id); times (ms since the
// epoch) and sizes are bigint read as JS numbers; flags are boolean; text is text. One table exists
// only here: `blob_contents`, the attachment bytes when no shared blob folder is set.
import { sql } from 'drizzle-orm';
import { bigint, boolean, customType, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

const id = () => integer('id').primaryKey().generatedByDefaultAsIdentity();
/** Milliseconds since the epoch, or a size in bytes. */
const ms = (name: string) => bigint(name, { mode: 'number' });
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

export const accounts = pgTable('accounts', {
  id: id(),
  name: text('name').notNull(),
  createdAt: ms('created_at').notNull(),
});

export const contacts = pgTable(
  'contacts',
  {
    id: id(),
    accountId: integer('account_id').references(() => accounts.id),
    email: text('email').notNull(),
    emailLower: text('email_lower').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    username: text('username'),
    handle: text('handle'),
    externalId: text('external_id'),
    division: text('division'),
    helpAdmin: boolean('help_admin').notNull().default(false),
    eligible: boolean('eligible').notNull().default(true),
    active: boolean('active').notNull().default(true),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('contacts_email_idx').on(t.emailLower), index('contacts_account_idx').on(t.accountId)],
);

export const users = pgTable('users', {
  id: id(),
  email: text('email').notNull(),
  emailLower: text('email_lower').notNull().unique(),
  name: text('name').notNull(),
  can: text('can').notNull().default('read,create,edit'),
  createdAt: ms('created_at').notNull(),
});

export const products = pgTable('products', {
  id: id(),
  name: text('name').notNull(),
  code: text('code').notNull(),
  codeLower: text('code_lower').notNull().unique(),
  createdAt: ms('created_at').notNull(),
});

export const assets = pgTable(
  'assets',
  {
    id: id(),
    name: text('name').notNull(),
    serial: text('serial'),
    serialLower: text('serial_lower').unique(),
    productId: integer('product_id').references(() => products.id),
    contactId: integer('contact_id').references(() => contacts.id),
    accountId: integer('account_id').references(() => accounts.id),
    installDate: text('install_date'),
    status: text('status').notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('assets_contact_idx').on(t.contactId), index('assets_account_idx').on(t.accountId)],
);

export const recordTypes = pgTable('record_types', {
  id: id(),
  name: text('name').notNull(),
  nameLower: text('name_lower').notNull().unique(),
  statuses: text('statuses'),
  priorities: text('priorities'),
  origins: text('origins'),
  defaultPriority: text('default_priority'),
  defaultOrigin: text('default_origin'),
  fields: text('fields').notNull().default('[]'),
  createdAt: ms('created_at').notNull(),
  updatedAt: ms('updated_at').notNull(),
});

export const cases = pgTable(
  'cases',
  {
    id: id(),
    number: text('number').notNull().unique(),
    subject: text('subject').notNull(),
    description: text('description').notNull().default(''),
    status: text('status').notNull(),
    priority: text('priority').notNull(),
    origin: text('origin').notNull(),
    contactId: integer('contact_id').references(() => contacts.id),
    accountId: integer('account_id').references(() => accounts.id),
    ownerId: integer('owner_id').references(() => users.id),
    parentId: integer('parent_id'),
    assetId: integer('asset_id').references(() => assets.id),
    recordTypeId: integer('record_type_id').references(() => recordTypes.id),
    division: text('division'),
    closedWhenCreated: boolean('closed_when_created').notNull().default(false),
    addressToken: text('address_token').notNull().unique(),
    threadRoot: text('thread_root').notNull(),
    suppliedEmail: text('supplied_email'),
    suppliedName: text('supplied_name'),
    createdAt: ms('created_at').notNull(),
    updatedAt: ms('updated_at').notNull(),
    closedAt: ms('closed_at'),
  },
  (t) => [
    index('cases_status_idx').on(t.status),
    index('cases_contact_idx').on(t.contactId),
    index('cases_parent_idx').on(t.parentId),
    index('cases_thread_root_idx').on(t.threadRoot),
    index('cases_origin_created_idx').on(t.origin, t.createdAt),
  ],
);

export const caseFields = pgTable(
  'case_fields',
  {
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.key] })],
);

export const collaborators = pgTable(
  'collaborators',
  {
    id: id(),
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    email: text('email').notNull(),
    emailLower: text('email_lower').notNull(),
    addedBy: text('added_by').notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [uniqueIndex('collaborators_case_email_idx').on(t.caseId, t.emailLower)],
);

export const comments = pgTable(
  'comments',
  {
    id: id(),
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    authorEmail: text('author_email').notNull(),
    authorName: text('author_name'),
    body: text('body').notNull(),
    fullBody: text('full_body').notNull(),
    source: text('source').notNull(),
    internal: boolean('internal').notNull().default(false),
    inboundId: integer('inbound_id'),
    auth: text('auth'),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('comments_case_idx').on(t.caseId)],
);

export const caseHistory = pgTable(
  'case_history',
  {
    id: id(),
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    field: text('field').notNull(),
    oldValue: text('old_value'),
    newValue: text('new_value'),
    actor: text('actor').notNull(),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [index('case_history_case_idx').on(t.caseId)],
);

export const blobs = pgTable('blobs', {
  sha256: text('sha256').primaryKey(),
  size: ms('size').notNull(),
  createdAt: ms('created_at').notNull(),
});

/**
 * PostgreSQL only: the bytes of a blob when no blob folder is shared by every node, in chunks of at
 * most 1 MiB (`seq` from 0) so that no single value grows with the attachment.
 */
export const blobContents = pgTable(
  'blob_contents',
  {
    sha256: text('sha256')
      .notNull()
      .references(() => blobs.sha256),
    seq: integer('seq').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sha256, t.seq] })],
);

export const attachments = pgTable(
  'attachments',
  {
    id: id(),
    commentId: integer('comment_id')
      .notNull()
      .references(() => comments.id),
    sha256: text('sha256')
      .notNull()
      .references(() => blobs.sha256),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: ms('size').notNull(),
    contentId: text('content_id'),
    inline: boolean('inline').notNull().default(false),
  },
  (t) => [index('attachments_comment_idx').on(t.commentId)],
);

export const routingAddresses = pgTable('routing_addresses', {
  id: id(),
  address: text('address').notNull(),
  addressLower: text('address_lower').notNull().unique(),
  priority: text('priority').notNull(),
  origin: text('origin').notNull(),
  ownerId: integer('owner_id').references(() => users.id),
  createContacts: boolean('create_contacts').notNull().default(false),
  notify: boolean('notify').notNull().default(true),
  recordTypeId: integer('record_type_id').references(() => recordTypes.id),
  createdAt: ms('created_at').notNull(),
  acceptFrom: text('accept_from').notNull().default(''),
  block: text('block').notNull().default(''),
  rateLimit: integer('rate_limit').notNull().default(0),
  saveHeaders: boolean('save_headers').notNull().default(false),
  autoResponse: text('auto_response'),
  autoResponseIf: text('auto_response_if'),
});

export const assignmentRules = pgTable('assignment_rules', {
  id: id(),
  sortOrder: integer('sort_order').notNull(),
  ownerId: integer('owner_id')
    .notNull()
    .references(() => users.id),
  subjectContains: text('subject_contains'),
  fromDomain: text('from_domain'),
  priority: text('priority'),
  accountId: integer('account_id').references(() => accounts.id),
  createdAt: ms('created_at').notNull(),
});

export const inbound = pgTable(
  'inbound',
  {
    id: id(),
    messageId: text('message_id'),
    mailFrom: text('mail_from'),
    fromAddr: text('from_addr'),
    rcpt: text('rcpt').notNull(),
    subject: text('subject'),
    decision: text('decision').notNull(),
    reason: text('reason').notNull(),
    smtpCode: integer('smtp_code').notNull(),
    caseId: integer('case_id'),
    commentId: integer('comment_id'),
    fingerprint: text('fingerprint'),
    loopKey: text('loop_key'),
    size: ms('size').notNull().default(0),
    headers: text('headers'),
    openedVia: integer('opened_via'),
    auth: text('auth'),
    createdAt: ms('created_at').notNull(),
  },
  (t) => [
    index('inbound_case_fingerprint_idx').on(t.caseId, t.fingerprint),
    index('inbound_loop_idx').on(t.loopKey, t.createdAt),
    index('inbound_opened_via_idx').on(t.openedVia, sql`lower(from_addr)`, t.createdAt).where(sql`opened_via IS NOT NULL`),
  ],
);

export const outbox = pgTable(
  'outbox',
  {
    id: id(),
    caseId: integer('case_id').references(() => cases.id),
    commentId: integer('comment_id'),
    kind: text('kind').notNull(),
    recipient: text('recipient').notNull(),
    recipientLower: text('recipient_lower').notNull(),
    token: text('token').notNull().unique(),
    messageId: text('message_id').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ms('next_attempt_at').notNull(),
    leaseOwner: text('lease_owner'),
    leaseUntil: ms('lease_until'),
    lastError: text('last_error'),
    response: text('response'),
    sentAt: ms('sent_at'),
    bouncedAt: ms('bounced_at'),
    createdAt: ms('created_at').notNull(),
    replyAddressId: integer('reply_address_id'),
  },
  (t) => [
    index('outbox_pending_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index('outbox_auto_response_idx').on(t.recipientLower, t.createdAt).where(sql`kind = 'auto-response'`),
  ],
);

export const replyAddresses = pgTable(
  'reply_addresses',
  {
    id: id(),
    token: text('token').notNull().unique(),
    caseId: integer('case_id')
      .notNull()
      .references(() => cases.id),
    kind: text('kind').notNull(),
    addressLower: text('address_lower').notNull(),
    createdAt: ms('created_at').notNull(),
    retiredAt: ms('retired_at'),
  },
  (t) => [uniqueIndex('reply_addresses_live_idx').on(t.caseId, t.kind, t.addressLower).where(sql`retired_at IS NULL`)],
);

export const bounces = pgTable('bounces', {
  addressLower: text('address_lower').primaryKey(),
  hard: boolean('hard').notNull(),
  status: text('status').notNull(),
  diagnostic: text('diagnostic'),
  outboxId: integer('outbox_id'),
  createdAt: ms('created_at').notNull(),
});

export const apiKeys = pgTable('api_keys', {
  id: id(),
  name: text('name').notNull(),
  prefix: text('prefix').notNull(),
  keyHash: text('key_hash').notNull().unique(),
  permissions: text('permissions').notNull(),
  createdAt: ms('created_at').notNull(),
  revokedAt: ms('revoked_at'),
});

export const httpRateLimits = pgTable(
  'http_rate_limits',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    windowStart: ms('window_start').notNull(),
    hits: integer('hits').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key, t.windowStart] })],
);

export const mailboxes = pgTable('mailboxes', {
  id: id(),
  url: text('url').notNull().unique(),
  toAddress: text('to_address').notNull(),
  passwordFile: text('password_file'),
  tokenCommand: text('token_command'),
  insecure: boolean('insecure').notNull().default(false),
  createdAt: ms('created_at').notNull(),
  lastCheckedAt: ms('last_checked_at'),
  lastError: text('last_error'),
  fetchedCount: integer('fetched_count').notNull().default(0),
});

export const mailboxMessages = pgTable(
  'mailbox_messages',
  {
    mailboxId: integer('mailbox_id')
      .notNull()
      .references(() => mailboxes.id, { onDelete: 'cascade' }),
    /** UIDVALIDITY and UID are unsigned 32-bit numbers: beyond integer's range. */
    uidValidity: bigint('uid_validity', { mode: 'number' }).notNull(),
    uid: bigint('uid', { mode: 'number' }).notNull(),
    inboundId: integer('inbound_id')
      .notNull()
      .references(() => inbound.id, { onDelete: 'cascade' }),
    disposition: text('disposition').notNull(),
  },
  (t) => [primaryKey({ columns: [t.mailboxId, t.uidValidity, t.uid] }), index('mailbox_messages_inbound_idx').on(t.inboundId)],
);

export const secrets = pgTable('secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: ms('created_at').notNull(),
});

export const portalSignIns = pgTable(
  'portal_sign_ins',
  {
    id: id(),
    emailLower: text('email_lower').notNull(),
    ip: text('ip').notNull(),
    tokenHash: text('token_hash').unique(),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
    usedAt: ms('used_at'),
  },
  (t) => [index('portal_sign_ins_email_idx').on(t.emailLower, t.createdAt), index('portal_sign_ins_ip_idx').on(t.ip, t.createdAt)],
);

export const portalSessions = pgTable(
  'portal_sessions',
  {
    id: id(),
    tokenHash: text('token_hash').notNull().unique(),
    emailLower: text('email_lower').notNull(),
    createdAt: ms('created_at').notNull(),
    expiresAt: ms('expires_at').notNull(),
  },
  (t) => [index('portal_sessions_expires_idx').on(t.expiresAt)],
);
