// The records `case show` and `case list` print (SPEC §6), and the collaborator listing.
import { mapInTurn, type Tx } from '../db/engine.js';
import { caseById, caseByNumber, childNumbers, listCases, searchCases, type CaseRow } from '../db/cases.js';
import { assetById } from '../db/assets.js';
import { productById } from '../db/products.js';
import { recordTypeById } from '../db/recordTypes.js';
import { fieldsOfCase } from '../db/caseFields.js';
import { allContacts, contactById, contactsByEmail, contactsOfAccount } from '../db/contacts.js';
import { userByEmail, userById } from '../db/users.js';
import { isCaseNumber, parseId } from '../domain/ids.js';
import { sinceFilter } from './traceFilters.js';
import { collaboratorsOf } from '../db/collaborators.js';
import { commentsOfCase } from '../db/comments.js';
import { historyOfCase } from '../db/caseHistory.js';
import { attachmentsOf } from '../db/attachments.js';
import { isActiveContact } from '../domain/collaborators.js';
import { suggestContacts } from '../domain/contacts.js';
import { caseAddress } from '../domain/mailNames.js';
import { CASE_STATUSES, parseStatus } from '../domain/caseRules.js';
import { invalid } from '../errors.js';

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export async function caseSummary(tx: Tx, row: CaseRow, domain: string) {
  const contact = row.contactId === null ? null : await contactById(tx, row.contactId);
  const owner = row.ownerId === null ? null : await userById(tx, row.ownerId);
  const parent = row.parentId === null ? null : await caseById(tx, row.parentId);
  return {
    id: row.id,
    number: row.number,
    subject: row.subject,
    status: row.status,
    priority: row.priority,
    origin: row.origin,
    owner: owner?.email ?? null,
    account: row.accountId,
    parent: parent?.number ?? null,
    division: row.division,
    closedWhenCreated: row.closedWhenCreated,
    address: caseAddress(row.addressToken, domain),
    contact: contact ? { id: contact.id, email: contact.email, name: `${contact.firstName} ${contact.lastName}`.trim() } : null,
    suppliedEmail: row.suppliedEmail,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export interface CaseListFilter {
  status?: string;
  unlinked?: boolean;
  unowned?: boolean;
  /** A user's email. */
  owner?: string;
  /** A contact's id or email. */
  contact?: string;
  /** An account id. */
  account?: string;
  /** WHEN: a date, a time or a duration back from now (src/domain/since.ts). */
  updatedSince?: string;
  /** Paging: the number of the last case of the page before. */
  after?: string;
  limit?: number;
}

/** `case list` and GET /api/v1/cases: oldest first, every given filter holding. */
export async function caseList(tx: Tx, filter: CaseListFilter, domain: string, now = Date.now()) {
  const status = filter.status === undefined ? undefined : parseStatus(filter.status);
  if (status === null) throw invalid(`status "${filter.status}" is not one of ${CASE_STATUSES.join(', ')}; give one of them`);
  const rows = await listCases(tx, {
    status,
    unlinked: filter.unlinked,
    unowned: filter.unowned,
    ownerId: filter.owner === undefined ? undefined : (await filterUser(tx, filter.owner)).id,
    contactId: filter.contact === undefined ? undefined : (await filterContact(tx, filter.contact)).id,
    accountId: filter.account === undefined ? undefined : filterId(filter.account, 'account'),
    updatedSince: filter.updatedSince === undefined ? undefined : sinceFilter(filter.updatedSince, now, 'updated since'),
    afterId: filter.after === undefined ? undefined : await afterCase(tx, filter.after),
    limit: filter.limit,
  });
  return mapInTurn(rows, (row) => caseSummary(tx, row, domain));
}

// A filter that names nobody is a mistake to say, not an empty list that looks like "no cases".
async function filterUser(tx: Tx, email: string) {
  const user = await userByEmail(tx, email);
  if (!user) throw invalid(`owner "${email}" is not a user; list users with "casegate user list"`);
  return user;
}

async function filterContact(tx: Tx, ref: string) {
  const text = ref.trim();
  if (/^\d+$/.test(text)) {
    const id = parseId(text);
    const contact = id === null ? undefined : await contactById(tx, id);
    if (!contact) throw invalid(`no contact with id ${text}; list contacts with "casegate contact list"`);
    return contact;
  }
  const found = await contactsByEmail(tx, text);
  if (found.length === 0) throw invalid(`no contact with email ${text}; give a contact id or email from "casegate contact list"`);
  if (found.length > 1) throw invalid(`${found.length} contacts have the email ${text}; give the id of one (${found.map((c) => c.id).join(', ')})`);
  return found[0] as (typeof found)[number];
}

function filterId(value: string, what: string): number {
  const id = parseId(value);
  if (id === null) throw invalid(`${what} "${value}" is not an id; give a whole number such as 1`);
  return id;
}

async function afterCase(tx: Tx, number: string): Promise<number> {
  const row = isCaseNumber(number) ? await caseByNumber(tx, number) : undefined;
  if (!row) throw invalid(`after "${number}" is not the number of a case; give the "next" value of the page before`);
  return row.id;
}

/** At most this many cases answer a search. */
export const SEARCH_LIMIT = 50;

/** `case search TEXT`: cases whose subject, description, contact or account contains the text. */
export async function caseSearch(tx: Tx, text: string, domain: string) {
  const query = text.trim();
  if (query === '') throw invalid('the search text is empty; give some text, e.g. casegate case search printer');
  return mapInTurn(await searchCases(tx, query, SEARCH_LIMIT), (row) => caseSummary(tx, row, domain));
}

/** The asset a case names, with its product. */
async function caseAsset(tx: Tx, assetId: number | null) {
  const asset = assetId === null ? undefined : await assetById(tx, assetId);
  if (!asset) return null;
  const product = asset.productId === null ? undefined : await productById(tx, asset.productId);
  return {
    id: asset.id,
    name: asset.name,
    serial: asset.serial,
    status: asset.status,
    product: product ? { code: product.code, name: product.name } : null,
  };
}

/** Contacts that may be the sender of an unlinked case (by email, then name, then username/handle/external id). */
export async function suggestedContacts(tx: Tx, row: CaseRow) {
  const linked = row.contactId === null ? null : await contactById(tx, row.contactId);
  const sender = row.suppliedEmail ?? linked?.email ?? null;
  if (sender === null) return [];
  return suggestContacts({ address: sender, name: row.suppliedName ?? '' }, await allContacts(tx)).map((c) => ({
    id: c.id,
    email: c.email,
    firstName: c.firstName,
    lastName: c.lastName,
    account: c.accountId,
  }));
}

export async function caseDetail(tx: Tx, row: CaseRow, domain: string) {
  const members = await contactsOfAccount(tx, row.accountId);
  const comments = await commentsOfCase(tx, row.id);
  const files = await attachmentsOf(
    tx,
    comments.map((c) => c.id),
  );
  const suggested =
    row.contactId === null && row.suppliedEmail !== null
      ? (await suggestedContacts(tx, row)).map((c) => ({ id: c.id, email: c.email, name: `${c.firstName} ${c.lastName}`.trim() }))
      : [];
  return {
    ...(await caseSummary(tx, row, domain)),
    description: row.description,
    asset: await caseAsset(tx, row.assetId),
    recordType: row.recordTypeId === null ? null : ((await recordTypeById(tx, row.recordTypeId))?.name ?? null),
    /** Values of the record type's custom fields, by key. */
    fields: await fieldsOfCase(tx, row.id),
    children: await childNumbers(tx, row.id),
    closedAt: iso(row.closedAt),
    collaborators: (await collaboratorsOf(tx, row.id)).map((c) => ({ email: c.email, activeContact: isActiveContact(c.email, row.accountId, members) })),
    suggestedContacts: suggested,
    /** Changes of status, priority and owner, oldest first: `from` and `to` (an owner by email), `by` whom, `at` when. */
    history: (await historyOfCase(tx, row.id)).map((h) => ({ field: h.field, from: h.oldValue, to: h.newValue, by: h.actor, at: iso(h.createdAt) })),
    comments: comments.map((c) => ({
      id: c.id,
      author: c.authorEmail,
      body: c.body,
      /** The whole text as received, quoted history included. */
      fullBody: c.fullBody,
      source: c.source,
      internal: c.internal,
      /** Sender authentication of the mail it came from (`dmarc`, `spf`, `dkim`…); null for CLI, Web and API comments. */
      auth: storedAuth(c.auth),
      createdAt: iso(c.createdAt),
      attachments: files
        .filter((a) => a.commentId === c.id)
        .map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size, sha256: a.sha256, inline: a.inline })),
    })),
  };
}

export type CaseDetail = Awaited<ReturnType<typeof caseDetail>>;

/** The stored sender authentication (JSON of src/ingest/auth.ts SenderAuth), or null. */
export function storedAuth(json: string | null): Record<string, string> | null {
  if (json === null) return null;
  try {
    const v: unknown = JSON.parse(json);
    return typeof v === 'object' && v !== null ? (v as Record<string, string>) : null;
  } catch {
    return null;
  }
}

/** `collaborator list`: each address, whether it is an active contact of the case's account, who added it. */
export async function collaboratorList(tx: Tx, row: CaseRow) {
  const members = await contactsOfAccount(tx, row.accountId);
  return (await collaboratorsOf(tx, row.id)).map((c) => ({
    id: c.id,
    case: row.number,
    email: c.email,
    activeContact: isActiveContact(c.email, row.accountId, members),
    addedBy: c.addedBy,
    createdAt: new Date(c.createdAt).toISOString(),
  }));
}

/** What `collaborator add|remove` prints about one address. */
export async function collaboratorView(tx: Tx, row: CaseRow, email: string, extra: Record<string, unknown> = {}) {
  return { case: row.number, email, activeContact: isActiveContact(email, row.accountId, await contactsOfAccount(tx, row.accountId)), ...extra };
}

/** What `comment add` prints (and `POST /api/v1/cases/NUMBER/comments` answers). */
export function commentAddedView(
  caseNumber: string,
  c: { id: number; author: string; attachments: ReadonlyArray<{ filename: string; contentType: string; size: number; sha256: string }> },
  r: { body: string; source: string; internal: boolean },
  now: number,
) {
  return { id: c.id, case: caseNumber, author: c.author, body: r.body, source: r.source, internal: r.internal, createdAt: new Date(now).toISOString(), attachments: c.attachments };
}
