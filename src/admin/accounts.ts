// Accounts: the customer organisations contacts belong to. Names are unique, case-insensitively,
// so that an admin cannot create the same customer twice by accident.
import { asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts, contacts } from '../db/schema.js';
import { conflict, invalid, notFound } from '../errors.js';

export interface AccountRecord {
  id: number;
  name: string;
  /** Number of contacts of the account. */
  contacts: number;
  createdAt: string;
}

type AccountRow = typeof accounts.$inferSelect;

function accountRecord(row: AccountRow, contactCount: number): AccountRecord {
  return { id: row.id, name: row.name, contacts: contactCount, createdAt: new Date(row.createdAt).toISOString() };
}

function contactCount(db: Db, accountId: number): number {
  return db.orm.select({ n: count() }).from(contacts).where(eq(contacts.accountId, accountId)).get()?.n ?? 0;
}

export function createAccount(db: Db, name: string, now = Date.now()): AccountRecord {
  const clean = name.replace(/\s+/g, ' ').trim();
  if (clean === '') throw invalid('an account needs a name; give it as in: casegate account create "Acme Ltd"');
  const same = db.orm
    .select()
    .from(accounts)
    .where(sql`lower(${accounts.name}) = ${clean.toLowerCase()}`)
    .get();
  if (same) {
    throw conflict(`account "${same.name}" already exists (id ${same.id}); use that id, or choose another name`);
  }
  const row = db.orm.insert(accounts).values({ name: clean, createdAt: now }).returning().get();
  return accountRecord(row, 0);
}

export function listAccounts(db: Db): AccountRecord[] {
  const counts = new Map(
    db.orm
      .select({ accountId: contacts.accountId, n: count() })
      .from(contacts)
      .groupBy(contacts.accountId)
      .all()
      .map((r) => [r.accountId, r.n] as const),
  );
  return db.orm
    .select()
    .from(accounts)
    .orderBy(asc(accounts.id))
    .all()
    .map((row) => accountRecord(row, counts.get(row.id) ?? 0));
}

export function getAccount(db: Db, id: number): AccountRecord | undefined {
  const row = db.orm.select().from(accounts).where(eq(accounts.id, id)).get();
  return row ? accountRecord(row, contactCount(db, row.id)) : undefined;
}

/** Parses an account id as given on the command line. */
export function parseAccountId(value: string | number): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw invalid(`account "${text}" is not an account id; give the number shown by "casegate account list"`);
  }
  return Number(text);
}

/** The account with this id, or an error that says how to find one. */
export function requireAccount(db: Db, ref: string | number): AccountRecord {
  const id = parseAccountId(ref);
  const account = getAccount(db, id);
  if (!account) throw notFound(`no account with id ${id}; list accounts with "casegate account list"`);
  return account;
}
