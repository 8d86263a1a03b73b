// The `contacts` table: people at customer accounts. Emails are matched by `email_lower`.
import { bool, statement, type Db } from './client.js';
import type { contacts } from './schema.js';
import { normalizeEmail } from '../domain/address.js';

export type ContactRow = typeof contacts.$inferSelect;
export type NewContactRow = Omit<ContactRow, 'id' | 'emailLower' | 'createdAt'>;

const COLUMNS = `id, account_id AS accountId, email, email_lower AS emailLower, first_name AS firstName,
  last_name AS lastName, username, handle, external_id AS externalId, division, help_admin AS helpAdmin,
  eligible, active, created_at AS createdAt`;

type Raw = Omit<ContactRow, 'helpAdmin' | 'eligible' | 'active'> & { helpAdmin: number; eligible: number; active: number };

const row = (r: Raw | undefined): ContactRow | undefined =>
  r === undefined ? undefined : { ...r, helpAdmin: bool(r.helpAdmin), eligible: bool(r.eligible), active: bool(r.active) };
const rows = (all: Raw[]): ContactRow[] => all.map((r) => row(r) as ContactRow);

export function insertContact(db: Db, c: NewContactRow, now: number): ContactRow {
  const raw = statement<unknown[], Raw>(
    db,
    `INSERT INTO contacts (account_id, email, email_lower, first_name, last_name, username, handle, external_id, division,
       help_admin, eligible, active, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
  ).get(
    c.accountId,
    c.email,
    normalizeEmail(c.email),
    c.firstName,
    c.lastName,
    c.username,
    c.handle,
    c.externalId,
    c.division,
    c.helpAdmin ? 1 : 0,
    c.eligible ? 1 : 0,
    c.active ? 1 : 0,
    now,
  );
  return row(raw) as ContactRow;
}

export function contactById(db: Db, id: number): ContactRow | undefined {
  return row(statement<[number], Raw>(db, `SELECT ${COLUMNS} FROM contacts WHERE id = ?`).get(id));
}

/** Every contact with this email (case-insensitive), oldest first. */
export function contactsByEmail(db: Db, email: string): ContactRow[] {
  return rows(statement<[string], Raw>(db, `SELECT ${COLUMNS} FROM contacts WHERE email_lower = ? ORDER BY id`).all(normalizeEmail(email)));
}

export function contactsOfAccount(db: Db, accountId: number | null): ContactRow[] {
  if (accountId === null) return [];
  return rows(statement<[number], Raw>(db, `SELECT ${COLUMNS} FROM contacts WHERE account_id = ? ORDER BY id`).all(accountId));
}

export function allContacts(db: Db): ContactRow[] {
  return rows(statement<[], Raw>(db, `SELECT ${COLUMNS} FROM contacts ORDER BY id`).all());
}

/** Number of contacts per account id. */
export function contactCounts(db: Db): Map<number, number> {
  const counts = statement<[], { accountId: number; n: number }>(
    db,
    'SELECT account_id AS accountId, count(*) AS n FROM contacts WHERE account_id IS NOT NULL GROUP BY account_id',
  ).all();
  return new Map(counts.map((c) => [c.accountId, c.n]));
}

export function contactCountOf(db: Db, accountId: number): number {
  return statement<[number], { n: number }>(db, 'SELECT count(*) AS n FROM contacts WHERE account_id = ?').get(accountId)?.n ?? 0;
}
