// The `users` table: agents of the support team. An email is unique, compared case-insensitively;
// `can` holds the user's permissions on cases as `read,create,edit`.
import type { Tx } from './engine.js';
import type { users } from './schema.js';
import { normalizeEmail } from '../domain/address.js';
import { formatPermissions, parsePermissions, type Permission } from '../domain/permissions.js';

export type UserRow = Omit<typeof users.$inferSelect, 'can'> & { can: Permission[] };

const COLUMNS = 'id, email, email_lower AS "emailLower", name, can, created_at AS "createdAt"';

type Raw = Omit<UserRow, 'can'> & { can: string };
const row = (r: Raw | undefined): UserRow | undefined => {
  if (r === undefined) return undefined;
  const parsed = parsePermissions(r.can);
  return { ...r, can: 'can' in parsed ? parsed.can : [] };
};

export async function insertUser(tx: Tx, email: string, name: string, can: readonly Permission[], now: number): Promise<UserRow> {
  return row(
    await tx.get<Raw>(`INSERT INTO users (email, email_lower, name, can, created_at) VALUES (?, ?, ?, ?, ?) RETURNING ${COLUMNS}`, [
      email,
      normalizeEmail(email),
      name,
      formatPermissions(can),
      now,
    ]),
  ) as UserRow;
}

export async function setUserPermissions(tx: Tx, id: number, can: readonly Permission[]): Promise<UserRow> {
  return row(await tx.get<Raw>(`UPDATE users SET can = ? WHERE id = ? RETURNING ${COLUMNS}`, [formatPermissions(can), id])) as UserRow;
}

export async function userById(tx: Tx, id: number): Promise<UserRow | undefined> {
  return row(await tx.get<Raw>(`SELECT ${COLUMNS} FROM users WHERE id = ?`, [id]));
}

export async function userByEmail(tx: Tx, email: string): Promise<UserRow | undefined> {
  return row(await tx.get<Raw>(`SELECT ${COLUMNS} FROM users WHERE email_lower = ?`, [normalizeEmail(email)]));
}

export async function allUsers(tx: Tx): Promise<UserRow[]> {
  return (await tx.all<Raw>(`SELECT ${COLUMNS} FROM users ORDER BY id`)).map((r) => row(r) as UserRow);
}
