// The `users` table: agents of the support team. An email is unique, compared case-insensitively.
import { statement, type Db } from './client.js';
import type { users } from './schema.js';
import { normalizeEmail } from '../domain/address.js';

export type UserRow = typeof users.$inferSelect;

const COLUMNS = 'id, email, email_lower AS emailLower, name, created_at AS createdAt';

export function insertUser(db: Db, email: string, name: string, now: number): UserRow {
  return statement<[string, string, string, number], UserRow>(
    db,
    `INSERT INTO users (email, email_lower, name, created_at) VALUES (?, ?, ?, ?) RETURNING ${COLUMNS}`,
  ).get(email, normalizeEmail(email), name, now) as UserRow;
}

export function userById(db: Db, id: number): UserRow | undefined {
  return statement<[number], UserRow>(db, `SELECT ${COLUMNS} FROM users WHERE id = ?`).get(id);
}

export function userByEmail(db: Db, email: string): UserRow | undefined {
  return statement<[string], UserRow>(db, `SELECT ${COLUMNS} FROM users WHERE email_lower = ?`).get(normalizeEmail(email));
}

export function allUsers(db: Db): UserRow[] {
  return statement<[], UserRow>(db, `SELECT ${COLUMNS} FROM users ORDER BY id`).all();
}
