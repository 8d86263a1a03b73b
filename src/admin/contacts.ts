// Contacts: the people at customer accounts. Several contacts may share an email (SPEC §3: mail from
// such an address stays unlinked), so creating one with a taken email succeeds and reports the others.
import type { Tx } from '../db/engine.js';
import { allContacts, contactById, contactsByEmail, insertContact, type ContactRow } from '../db/contacts.js';
import { parseId } from '../domain/ids.js';
import { invalid, notFound } from '../errors.js';
import { requireAccount } from './accounts.js';
import { checkEmail } from './input.js';

export interface ContactRecord {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  /** Account id, or null. */
  account: number | null;
  username: string | null;
  handle: string | null;
  externalId: string | null;
  division: string | null;
  helpAdmin: boolean;
  eligible: boolean;
  active: boolean;
  createdAt: string;
}

export interface NewContact {
  email: string;
  firstName: string;
  lastName: string;
  /** Account id (a number, or the text given on the command line). */
  account?: number | string | null;
  username?: string | null;
  handle?: string | null;
  externalId?: string | null;
  division?: string | null;
  helpAdmin?: boolean;
  /** Eligible for support; default true. */
  eligible?: boolean;
}

export interface CreatedContact {
  contact: ContactRecord;
  /** Other contacts that already had the same email (case-insensitive), oldest first. */
  sameEmail: ContactRecord[];
}

export function contactRecord(row: ContactRow): ContactRecord {
  return {
    id: row.id,
    email: row.email,
    firstName: row.firstName,
    lastName: row.lastName,
    account: row.accountId,
    username: row.username,
    handle: row.handle,
    externalId: row.externalId,
    division: row.division,
    helpAdmin: row.helpAdmin,
    eligible: row.eligible,
    active: row.active,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

/** Trimmed text, or null when absent or blank. */
function optional(value: string | null | undefined): string | null {
  const text = value?.trim();
  return text ? text : null;
}

/**
 * Creates a contact. Safe to call inside a caller's transaction (the inbound pipeline's "create
 * contacts" does): it only reads and inserts.
 */
export async function createContact(tx: Tx, input: NewContact, now = Date.now()): Promise<CreatedContact> {
  const email = checkEmail(input.email, 'contact email');
  const firstName = input.firstName.trim();
  const lastName = input.lastName.trim();
  if (firstName === '' && lastName === '') {
    throw invalid('a contact needs a name; give --first and --last, e.g. --first Ann --last Archer');
  }
  const accountId = input.account == null || input.account === '' ? null : (await requireAccount(tx, input.account)).id;
  const sameEmail = (await contactsByEmail(tx, email)).map(contactRecord);
  const row = await insertContact(
    tx,
    {
      accountId,
      email,
      firstName,
      lastName,
      username: optional(input.username),
      handle: optional(input.handle),
      externalId: optional(input.externalId),
      division: optional(input.division),
      helpAdmin: input.helpAdmin === true,
      eligible: input.eligible !== false,
      active: true,
    },
    now,
  );
  return { contact: contactRecord(row), sameEmail };
}

export async function listContacts(tx: Tx): Promise<ContactRecord[]> {
  return (await allContacts(tx)).map(contactRecord);
}

/**
 * Contacts whose email, first name, last name, full name, username, handle or external id contains
 * the query, ignoring letter case (also outside ASCII, hence the filtering here and not in SQL).
 */
export async function searchContacts(tx: Tx, query: string): Promise<ContactRecord[]> {
  const wanted = query.trim().toLocaleLowerCase();
  if (wanted === '') throw invalid('the search text is empty; give part of a name, email, username, handle or external id, e.g. archer');
  return (await listContacts(tx)).filter((c) =>
    [c.email, c.firstName, c.lastName, `${c.firstName} ${c.lastName}`, c.username, c.handle, c.externalId].some(
      (field) => field !== null && field.toLocaleLowerCase().includes(wanted),
    ),
  );
}

function describe(c: ContactRecord): string {
  const name = `${c.firstName} ${c.lastName}`.trim();
  return `id ${c.id} ${name}${c.account === null ? '' : ` (account ${c.account})`}`;
}

/**
 * A contact by id or by email. An email shared by several contacts is refused with a list of them,
 * since the caller has to pick one by id.
 */
export async function requireContact(tx: Tx, ref: string): Promise<ContactRow> {
  const text = ref.trim();
  if (/^\d+$/.test(text)) {
    const id = parseId(text);
    const contact = id === null ? undefined : await contactById(tx, id);
    if (!contact) throw notFound(`no contact with id ${text}; list contacts with "casegate contact list"`);
    return contact;
  }
  const email = checkEmail(text, 'contact');
  const found = await contactsByEmail(tx, email);
  if (found.length === 0) {
    throw notFound(`no contact with email ${email}; find one with "casegate contact search ${email}" or create it with "casegate contact create"`);
  }
  if (found.length > 1) {
    const records = found.map(contactRecord);
    throw invalid(`${found.length} contacts have email ${email}: ${records.map(describe).join('; ')}; give the contact id instead, e.g. ${found[0]?.id}`);
  }
  return found[0] as ContactRow;
}
