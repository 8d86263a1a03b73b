// The `contacts` table: people at customer accounts. Emails are matched by `email_lower`.
import { bool, type Tx } from './engine.js';
import type { contacts } from './schema.js';
import { normalizeEmail } from '../domain/address.js';

export type ContactRow = typeof contacts.$inferSelect;
export type NewContactRow = Omit<ContactRow, 'id' | 'emailLower' | 'createdAt'>;

const COLUMNS = `id, account_id AS "accountId", email, email_lower AS "emailLower", first_name AS "firstName",
  last_name AS "lastName", username, handle, external_id AS "externalId", division, help_admin AS "helpAdmin",
  eligible, active, created_at AS "createdAt"`;

type Flag = number | boolean;
type Raw = Omit<ContactRow, 'helpAdmin' | 'eligible' | 'active'> & { helpAdmin: Flag; eligible: Flag; active: Flag };

const row = (r: Raw | undefined): ContactRow | undefined =>
  r === undefined ? undefined : { ...r, helpAdmin: bool(r.helpAdmin), eligible: bool(r.eligible), active: bool(r.active) };
const rows = (all: Raw[]): ContactRow[] => all.map((r) => row(r) as ContactRow);

export async function insertContact(tx: Tx, c: NewContactRow, now: number): Promise<ContactRow> {
  const raw = await tx.get<Raw>(
    `INSERT INTO contacts (account_id, email, email_lower, first_name, last_name, username, handle, external_id, division,
       help_admin, eligible, active, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
    [
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
    ],
  );
  return row(raw) as ContactRow;
}

export async function contactById(tx: Tx, id: number): Promise<ContactRow | undefined> {
  return row(await tx.get<Raw>(`SELECT ${COLUMNS} FROM contacts WHERE id = ?`, [id]));
}

/** Every contact with this email (case-insensitive), oldest first. */
export async function contactsByEmail(tx: Tx, email: string): Promise<ContactRow[]> {
  return rows(await tx.all<Raw>(`SELECT ${COLUMNS} FROM contacts WHERE email_lower = ? ORDER BY id`, [normalizeEmail(email)]));
}

export async function contactsOfAccount(tx: Tx, accountId: number | null): Promise<ContactRow[]> {
  if (accountId === null) return [];
  return rows(await tx.all<Raw>(`SELECT ${COLUMNS} FROM contacts WHERE account_id = ? ORDER BY id`, [accountId]));
}

export async function allContacts(tx: Tx): Promise<ContactRow[]> {
  return rows(await tx.all<Raw>(`SELECT ${COLUMNS} FROM contacts ORDER BY id`));
}

/** Number of contacts per account id. */
export async function contactCounts(tx: Tx): Promise<Map<number, number>> {
  const counts = await tx.all<{ accountId: number; n: number }>(
    'SELECT account_id AS "accountId", count(*) AS n FROM contacts WHERE account_id IS NOT NULL GROUP BY account_id',
  );
  return new Map(counts.map((c) => [c.accountId, c.n]));
}

export async function contactCountOf(tx: Tx, accountId: number): Promise<number> {
  return (await tx.get<{ n: number }>('SELECT count(*) AS n FROM contacts WHERE account_id = ?', [accountId]))?.n ?? 0;
}

/** Contacts of an account whose name or email contains `text` (case-insensitive), at most `limit`. */
export async function searchContactsOfAccount(tx: Tx, accountId: number, text: string, limit: number): Promise<ContactRow[]> {
  const like = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return rows(
    await tx.all<Raw>(
      `SELECT ${COLUMNS} FROM contacts WHERE account_id = ?
         AND (email_lower LIKE ? ESCAPE '\\' OR lower(first_name || ' ' || last_name) LIKE ? ESCAPE '\\')
       ORDER BY last_name, first_name, id LIMIT ?`,
      [accountId, like, like, limit],
    ),
  );
}
