// Accounts: the customer organisations contacts belong to. Names are unique, case-insensitively,
// so that an admin cannot create the same customer twice by accident.
import type { Tx } from '../db/engine.js';
import { accountById, accountByName, allAccounts, insertAccount, type AccountRow } from '../db/accounts.js';
import { contactCountOf, contactCounts } from '../db/contacts.js';
import { parseId } from '../domain/ids.js';
import { conflict, invalid, notFound } from '../errors.js';

export interface AccountRecord {
  id: number;
  name: string;
  /** Number of contacts of the account. */
  contacts: number;
  createdAt: string;
}

function accountRecord(row: AccountRow, contactCount: number): AccountRecord {
  return { id: row.id, name: row.name, contacts: contactCount, createdAt: new Date(row.createdAt).toISOString() };
}

export async function createAccount(tx: Tx, name: string, now = Date.now()): Promise<AccountRecord> {
  const clean = name.replace(/\s+/g, ' ').trim();
  if (clean === '') throw invalid('an account needs a name; give it as in: casegate account create "Acme Ltd"');
  const same = await accountByName(tx, clean);
  if (same) throw conflict(`account "${same.name}" already exists (id ${same.id}); use that id, or choose another name`);
  return accountRecord(await insertAccount(tx, clean, now), 0);
}

export async function listAccounts(tx: Tx): Promise<AccountRecord[]> {
  const counts = await contactCounts(tx);
  return (await allAccounts(tx)).map((row) => accountRecord(row, counts.get(row.id) ?? 0));
}

/**
 * The account with this id (as typed on the command line), or an error that says how to find one;
 * `what` names where the id was given, e.g. `--account`.
 */
export async function requireAccount(tx: Tx, ref: string | number, what = 'account'): Promise<AccountRecord> {
  const id = parseId(ref);
  if (id === null) throw invalid(`${what} "${String(ref).trim()}" is not an account id; give the number shown by "casegate account list"`);
  const row = await accountById(tx, id);
  if (!row) throw notFound(`no account with id ${id}; list accounts with "casegate account list"`);
  return accountRecord(row, await contactCountOf(tx, row.id));
}
