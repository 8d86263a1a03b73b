// Users: the agents of the support team. They own cases and assignment rules and write comments
// from the CLI. A user's email is unique, compared case-insensitively.
import type { Db } from '../db/client.js';
import { allUsers, insertUser, userByEmail, type UserRow } from '../db/users.js';
import { checkEmail } from './input.js';
import { conflict, invalid, notFound } from '../errors.js';

export interface UserRecord {
  id: number;
  email: string;
  name: string;
  createdAt: string;
}

export interface NewUser {
  email: string;
  name: string;
}

export function userRecord(row: UserRow): UserRecord {
  return { id: row.id, email: row.email, name: row.name, createdAt: new Date(row.createdAt).toISOString() };
}

export function createUser(db: Db, input: NewUser, now = Date.now()): UserRecord {
  const email = checkEmail(input.email, 'user email');
  const name = input.name.trim();
  if (name === '') throw invalid('a user needs a name; give --name "Full Name"');
  const existing = userByEmail(db, email);
  if (existing) {
    throw conflict(`a user with email ${existing.email} already exists (id ${existing.id}); list users with "casegate user list"`);
  }
  return userRecord(insertUser(db, email, name, now));
}

export function listUsers(db: Db): UserRecord[] {
  return allUsers(db).map(userRecord);
}

/**
 * The user with this email, or an error that says how to make one. `role` names what the user is
 * wanted as in the message, e.g. "owner" → `owner ann@x.com is not a user; ...`.
 */
export function requireUserByEmail(db: Db, email: string, role = 'user'): UserRow {
  const address = checkEmail(email, `${role} email`);
  const user = userByEmail(db, address);
  if (!user) {
    throw notFound(
      `${role} ${address} is not a user; create it with "casegate user create --email ${address} --name NAME" or list users with "casegate user list"`,
    );
  }
  return user;
}
