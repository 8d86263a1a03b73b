// The `users` table: agents of the support team. An email is unique, compared case-insensitively;
// `can` holds the user's permissions on cases as `read,create,edit`.
import { statement, type Db } from './client.js';
import type { users } from './schema.js';
import { normalizeEmail } from '../domain/address.js';
import { formatPermissions, parsePermissions, type Permission } from '../domain/permissions.js';

export type UserRow = Omit<typeof users.$inferSelect, 'can'> & { can: Permission[] };

const COLUMNS = 'id, email, email_lower AS emailLower, name, can, created_at AS createdAt';

type Raw = Omit<UserRow, 'can'> & { can: string };
const row = (r: Raw | undefined): UserRow | undefined => {
  if (r === undefined) return undefined;
  const parsed = parsePermissions(r.can);
  return { ...r, can: 'can' in parsed ? parsed.can : [] };
};

export function insertUser(db: Db, email: string, name: string, can: readonly Permission[], now: number): UserRow {
  return row(
    statement<[string, string, string, string, number], Raw>(
      db,
      `INSERT INTO users (email, email_lower, name, can, created_at) VALUES (?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
    ).get(email, normalizeEmail(email), name, formatPermissions(can), now),
  ) as UserRow;
}

export function setUserPermissions(db: Db, id: number, can: readonly Permission[]): UserRow {
  return row(statement<[string, number], Raw>(db, `UPDATE users SET can = ? WHERE id = ? RETURNING ${COLUMNS}`).get(formatPermissions(can), id)) as UserRow;
}

export function userById(db: Db, id: number): UserRow | undefined {
  return row(statement<[number], Raw>(db, `SELECT ${COLUMNS} FROM users WHERE id = ?`).get(id));
}

export function userByEmail(db: Db, email: string): UserRow | undefined {
  return row(statement<[string], Raw>(db, `SELECT ${COLUMNS} FROM users WHERE email_lower = ?`).get(normalizeEmail(email)));
}

export function allUsers(db: Db): UserRow[] {
  return statement<[], Raw>(db, `SELECT ${COLUMNS} FROM users ORDER BY id`)
    .all()
    .map((r) => row(r) as UserRow);
}
