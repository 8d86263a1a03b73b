// The data model of casegate. Times are milliseconds since the epoch; emails are kept as given in
// `email` and lower-cased in `emailLower`, which every lookup uses.
import { sql } from 'drizzle-orm';
import { sqliteTable, integer, text, index, uniqueIndex, primaryKey } from 'drizzle-orm/sqlite-core';

export const accounts = sqliteTable('accounts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const contacts = sqliteTable(
  'contacts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id').references(() => accounts.id),
    email: text('email').notNull(),
    emailLower: text('email_lower').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    username: text('username'),
    handle: text('handle'),
    externalId: text('external_id'),
    division: text('division'),
    helpAdmin: integer('help_admin', { mode: 'boolean' }).notNull().default(false),
    eligible: integer('eligible', { mode: 'boolean' }).notNull().default(true),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    index('contacts_email_idx').on(t.emailLower),
    index('contacts_account_idx').on(t.accountId),
  ],
);

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  email: text('email').notNull(),
  emailLower: text('email_lower').notNull().unique(),
  name: text('name').notNull(),
  /** What the user may do with cases, comma-separated: `read`, `create`, `edit` (all by default). */
  can: text('can').notNull().default('read,create,edit'),
  createdAt: integer('created_at').notNull(),
});

/** The product catalogue: an asset may be one of these. Codes are unique, compared case-insensitively. */
export const products = sqliteTable('products', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  code: text('code').notNull(),
  codeLower: text('code_lower').notNull().unique(),
  createdAt: integer('created_at').notNull(),
});

/** What a customer owns (Salesforce Asset): of a contact (and its account) or of an account alone. */
export const assets = sqliteTable(
  'assets',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    serial: text('serial'),
    /** Serial numbers are unique, compared case-insensitively; null when the asset has none. */
    serialLower: text('serial_lower').unique(),
    productId: integer('product_id').references(() => products.id),
    contactId: integer('contact_id').references(() => contacts.id),
    accountId: integer('account_id').references(() => accounts.id),
    /** `YYYY-MM-DD`. */
    installDate: text('install_date'),
    status: text('status').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('assets_contact_idx').on(t.contactId), index('assets_account_idx').on(t.accountId)],
);

/**
 * Record types: the statuses, priorities and origins a case of the type may have (comma-separated;
 * null allows all) with defaults, and its custom fields (JSON array of {key, type, options, required}).
 */
export const recordTypes = sqliteTable('record_types', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  nameLower: text('name_lower').notNull().unique(),
  statuses: text('statuses'),
  priorities: text('priorities'),
  origins: text('origins'),
  defaultPriority: text('default_priority'),
  defaultOrigin: text('default_origin'),
  fields: text('fields').notNull().default('[]'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const cases = sqliteTable(
  'cases',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
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
    closedWhenCreated: integer('closed_when_created', { mode: 'boolean' }).notNull().default(false),
    /** Unguessable token of the case address: `case+<token>@<domain>`. Never reused. */
    addressToken: text('address_token').notNull().unique(),
    /**
     * Message-ID every notification of this case names in In-Reply-To/References: the Message-ID of
     * the mail that opened the case, or one of ours for a case opened from the CLI.
     */
    threadRoot: text('thread_root').notNull(),
    /** Sender of the mail that opened the case, kept for unlinked cases (Salesforce SuppliedEmail). */
    suppliedEmail: text('supplied_email'),
    suppliedName: text('supplied_name'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    closedAt: integer('closed_at'),
  },
  (t) => [
    index('cases_status_idx').on(t.status),
    index('cases_contact_idx').on(t.contactId),
    index('cases_parent_idx').on(t.parentId),
    index('cases_thread_root_idx').on(t.threadRoot),
    /** The Web-to-Case daily limit counts today's cases of one origin. */
    index('cases_origin_created_idx').on(t.origin, t.createdAt),
  ],
);

/** The values of a case's custom fields (those of its record type), as text. */
export const caseFields = sqliteTable(
  'case_fields',
  {
    caseId: integer('case_id').notNull().references(() => cases.id),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.key] })],
);

export const collaborators = sqliteTable(
  'collaborators',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    email: text('email').notNull(),
    emailLower: text('email_lower').notNull(),
    addedBy: text('added_by').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('collaborators_case_email_idx').on(t.caseId, t.emailLower)],
);

export const comments = sqliteTable(
  'comments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    authorEmail: text('author_email').notNull(),
    authorName: text('author_name'),
    /** The new text of the comment (quoted history cut). */
    body: text('body').notNull(),
    /** The whole text as received, quoted history included. */
    fullBody: text('full_body').notNull(),
    source: text('source').notNull(),
    internal: integer('internal', { mode: 'boolean' }).notNull().default(false),
    inboundId: integer('inbound_id'),
    /** Sender authentication of the mail it came from (JSON, src/ingest/auth.ts SenderAuth); null for other sources. */
    auth: text('auth'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('comments_case_idx').on(t.caseId)],
);

/**
 * The history of a case's own fields (Salesforce Case History): one row per change of status,
 * priority or owner, with the value before and after (an owner as the user's email) and who made it
 * (a user's email, `operator` at the CLI without --as, `API key NAME`, `a reply` for a reopening reply).
 */
export const caseHistory = sqliteTable(
  'case_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    caseId: integer('case_id').notNull().references(() => cases.id),
    field: text('field').notNull(),
    oldValue: text('old_value'),
    newValue: text('new_value'),
    actor: text('actor').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('case_history_case_idx').on(t.caseId)],
);

/** One row per stored content; the bytes live in `blobs/<sha[0..2]>/<sha>` beside the database. */
export const blobs = sqliteTable('blobs', {
  sha256: text('sha256').primaryKey(),
  size: integer('size').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const attachments = sqliteTable(
  'attachments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    commentId: integer('comment_id').notNull().references(() => comments.id),
    sha256: text('sha256').notNull().references(() => blobs.sha256),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    contentId: text('content_id'),
    inline: integer('inline', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('attachments_comment_idx').on(t.commentId)],
);

export const routingAddresses = sqliteTable('routing_addresses', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  address: text('address').notNull(),
  addressLower: text('address_lower').notNull().unique(),
  priority: text('priority').notNull(),
  origin: text('origin').notNull(),
  ownerId: integer('owner_id').references(() => users.id),
  createContacts: integer('create_contacts', { mode: 'boolean' }).notNull().default(false),
  notify: integer('notify', { mode: 'boolean' }).notNull().default(true),
  /** Record type of the cases its mail opens; it has no required field. */
  recordTypeId: integer('record_type_id').references(() => recordTypes.id),
  createdAt: integer('created_at').notNull(),
  // SPEC §7. Sender lists: comma-separated lowercase addresses and `@domain`s; '' = none.
  /** Only these senders may write to the address (Salesforce's Accept Email From); '' = anyone. */
  acceptFrom: text('accept_from').notNull().default(''),
  /** These senders are refused. */
  block: text('block').notNull().default(''),
  /** New cases per sender per hour through this address; 0 = no limit. */
  rateLimit: integer('rate_limit').notNull().default(0),
  /** Keep the raw header section of every message to this address on its inbound log row. */
  saveHeaders: integer('save_headers', { mode: 'boolean' }).notNull().default(false),
  /** Template of the acknowledgement sent to the sender of a new case; null = none. */
  autoResponse: text('auto_response'),
  /** Send it only when this text is in the subject or body (case-insensitive); null = always. */
  autoResponseIf: text('auto_response_if'),
});

export const assignmentRules = sqliteTable('assignment_rules', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  sortOrder: integer('sort_order').notNull(),
  ownerId: integer('owner_id').notNull().references(() => users.id),
  subjectContains: text('subject_contains'),
  fromDomain: text('from_domain'),
  priority: text('priority'),
  accountId: integer('account_id').references(() => accounts.id),
  createdAt: integer('created_at').notNull(),
});

export const inbound = sqliteTable(
  'inbound',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
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
    /** Hash of Message-ID, sender, subject, body and attachments: same value, same message. */
    fingerprint: text('fingerprint'),
    /** `<minute in base 36>.<hash of sender, subject and body>`, for the loop rule. */
    loopKey: text('loop_key'),
    size: integer('size').notNull().default(0),
    /** The message's header section (first 64 KiB), kept to explain a decision. */
    headers: text('headers'),
    /** The routing address through which this message opened a new case (rate limit, auto-response template). */
    openedVia: integer('opened_via'),
    /** Sender authentication (JSON, src/ingest/auth.ts SenderAuth); null when off or not reached. */
    auth: text('auth'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    // Both keys are hashes; each index leads with something that new rows share (the case, the
    // minute of the loop key) so that an insert lands on a page in cache, not on a random one.
    index('inbound_case_fingerprint_idx').on(t.caseId, t.fingerprint),
    index('inbound_loop_idx').on(t.loopKey, t.createdAt),
    /** Rate limit: new cases one sender opened through one routing address lately (only rows that opened one). */
    index('inbound_opened_via_idx').on(t.openedVia, sql`lower(from_addr)`, t.createdAt).where(sql`opened_via IS NOT NULL`),
  ],
);

export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Null only for mail about no case: a Help portal sign-in link (kind `sign-in`). */
    caseId: integer('case_id').references(() => cases.id),
    /** The comment a `comment` row carries; for `history`, the last comment the history covers. */
    commentId: integer('comment_id'),
    kind: text('kind').notNull(),
    recipient: text('recipient').notNull(),
    recipientLower: text('recipient_lower').notNull(),
    /** Lowercase token naming this message in its Message-ID and its VERP envelope sender. */
    token: text('token').notNull().unique(),
    /** `<token@domain>`: found through the token's index (see tokenOfMessageId). */
    messageId: text('message_id').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
    lastError: text('last_error'),
    response: text('response'),
    sentAt: integer('sent_at'),
    bouncedAt: integer('bounced_at'),
    createdAt: integer('created_at').notNull(),
    /** The reply address this message offers (its Reply-To); null for rows written before reply addresses. */
    replyAddressId: integer('reply_address_id'),
  },
  (t) => [
    // Only rows still to send: the index stays small however many have been sent.
    index('outbox_pending_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    /** At most one auto-response per sender per hour (SPEC §7): only those rows. */
    index('outbox_auto_response_idx').on(t.recipientLower, t.createdAt).where(sql`kind = 'auto-response'`),
  ],
);

/**
 * Per-participant reply addresses (SPEC §4 *Sender trust*): `case+<token>@<domain>`, issued to one
 * participant of one case (`kind` contact, collaborator or owner; `address_lower` their address). A
 * reply through it is taken only from that address. One live address per (case, kind, address);
 * `retired_at` set: the participant left (a removed collaborator), and mail to it is refused at RCPT.
 */
export const replyAddresses = sqliteTable(
  'reply_addresses',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    token: text('token').notNull().unique(),
    caseId: integer('case_id').notNull().references(() => cases.id),
    kind: text('kind').notNull(),
    addressLower: text('address_lower').notNull(),
    createdAt: integer('created_at').notNull(),
    retiredAt: integer('retired_at'),
  },
  (t) => [uniqueIndex('reply_addresses_live_idx').on(t.caseId, t.kind, t.addressLower).where(sql`retired_at IS NULL`)],
);

/** Addresses that bounced: a hard bounce holds later notifications to them. */
export const bounces = sqliteTable('bounces', {
  addressLower: text('address_lower').primaryKey(),
  hard: integer('hard', { mode: 'boolean' }).notNull(),
  status: text('status').notNull(),
  diagnostic: text('diagnostic'),
  outboxId: integer('outbox_id'),
  createdAt: integer('created_at').notNull(),
});

/**
 * Keys of the HTTP API (SPEC §8). Only the SHA-256 of a key is kept (a key is 32 random bytes, so a
 * fast hash is enough); `prefix` is its first characters, shown by `apikey list` to tell keys apart.
 * `permissions` is a comma-separated subset of read,create,edit.
 */
export const apiKeys = sqliteTable('api_keys', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  prefix: text('prefix').notNull(),
  keyHash: text('key_hash').notNull().unique(),
  permissions: text('permissions').notNull(),
  createdAt: integer('created_at').notNull(),
  revokedAt: integer('revoked_at'),
});

/**
 * The HTTP rate limits (SPEC §9, §10: counted in the database, so every node shares them): how many
 * requests `key` made in the fixed window starting at `windowStart` (ms, aligned to the window
 * length of its `scope`: `api` per API key id, `web` per Web-to-Case client IP). Past windows are
 * deleted by src/db/rateLimits.ts.
 */
export const httpRateLimits = sqliteTable(
  'http_rate_limits',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    windowStart: integer('window_start').notNull(),
    hits: integer('hits').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key, t.windowStart] })],
);

/**
 * IMAP mailboxes that casegate fetches from (`casegate mailbox add`), each as if its mail were sent
 * to `to_address`. The URL holds no password: that is read from `password_file`, or an XOAUTH2
 * token from the output of `token_command`, at every connection.
 */
export const mailboxes = sqliteTable('mailboxes', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** `imaps://USER@HOST:PORT/FOLDER`, canonical (port always written). */
  url: text('url').notNull().unique(),
  toAddress: text('to_address').notNull(),
  passwordFile: text('password_file'),
  tokenCommand: text('token_command'),
  /** TLS certificate not verified: allowed only for a loopback host (tests). */
  insecure: integer('insecure', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
  /** When the last pass over the mailbox ended (ok or not); null before the first. */
  lastCheckedAt: integer('last_checked_at'),
  /** Why the last pass failed; null when it succeeded. */
  lastError: text('last_error'),
  /** Messages taken from it so far (moved to casegate/done or casegate/refused). */
  fetchedCount: integer('fetched_count').notNull().default(0),
});

/**
 * Each message taken from a mailbox (`mailboxes`), by the mailbox's UIDVALIDITY and the message's
 * UID, written in the transaction that stores the message: a message found here again (the process
 * died after the commit and before the IMAP move) is only moved, to the folder first decided, so it
 * never becomes a second comment even without a Message-ID. A new UIDVALIDITY means new UIDs; the
 * old rows stay and go with their inbound log row (or with the mailbox).
 */
export const mailboxMessages = sqliteTable(
  'mailbox_messages',
  {
    mailboxId: integer('mailbox_id')
      .notNull()
      .references(() => mailboxes.id, { onDelete: 'cascade' }),
    uidValidity: integer('uid_validity').notNull(),
    uid: integer('uid').notNull(),
    /** The inbound log row of the message's one outcome. */
    inboundId: integer('inbound_id')
      .notNull()
      .references(() => inbound.id, { onDelete: 'cascade' }),
    /** `done` or `refused`: the folder it goes to (src/domain/mailbox.ts dispositionOf). */
    disposition: text('disposition').notNull(),
  },
  (t) => [primaryKey({ columns: [t.mailboxId, t.uidValidity, t.uid] }), index('mailbox_messages_inbound_idx').on(t.inboundId)],
);

/** The server's own secrets by name, made at first use: `portal` keys the Help portal's signed links and CSRF tokens. */
export const secrets = sqliteTable('secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: integer('created_at').notNull(),
});

/**
 * Help portal sign-in requests, one row per request whatever the address (the limits per address
 * and per IP count them). A link was sent only when `token_hash` is set: the SHA-256 of the link's
 * token, never the token; valid until `expires_at`, once (`used_at`).
 */
export const portalSignIns = sqliteTable(
  'portal_sign_ins',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    emailLower: text('email_lower').notNull(),
    ip: text('ip').notNull(),
    tokenHash: text('token_hash').unique(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  (t) => [index('portal_sign_ins_email_idx').on(t.emailLower, t.createdAt), index('portal_sign_ins_ip_idx').on(t.ip, t.createdAt)],
);

/** Help portal sessions, by the SHA-256 of the cookie's token; any node serves them. */
export const portalSessions = sqliteTable(
  'portal_sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    tokenHash: text('token_hash').notNull().unique(),
    emailLower: text('email_lower').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('portal_sessions_expires_idx').on(t.expiresAt)],
);
