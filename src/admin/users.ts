// Users: the agents of the support team. They own cases and assignment rules and write comments
// from the CLI. A user's email is unique, compared case-insensitively.
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { users } from '../db/schema.js';
import { isEmailAddress, normalizeEmail } from '../domain/address.js';
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

type UserRow = typeof users.$inferSelect;

export function userRecord(row: UserRow): UserRecord {
  return { id: row.id, email: row.email, name: row.name, createdAt: new Date(row.createdAt).toISOString() };
}

/** Checks an email given on the command line and returns it trimmed. */
export function checkEmail(value: string, what: string): string {
  const email = value.trim();
  if (!isEmailAddress(email)) {
    throw invalid(`${what} "${value}" is not an email address; give a plain address such as ann@example.com`);
  }
  return email;
}

export function createUser(db: Db, input: NewUser, now = Date.now()): UserRecord {
  const email = checkEmail(input.email, 'user email');
  const name = input.name.trim();
  if (name === '') throw invalid('a user needs a name; give --name "Full Name"');
  const existing = getUserByEmail(db, email);
  if (existing) {
    throw conflict(`a user with email ${existing.email} already exists (id ${existing.id}); list users with "casegate user list"`);
  }
  const row = db.orm
    .insert(users)
    .values({ email, emailLower: normalizeEmail(email), name, createdAt: now })
    .returning()
    .get();
  return userRecord(row);
}

export function listUsers(db: Db): UserRecord[] {
  return db.orm.select().from(users).orderBy(asc(users.id)).all().map(userRecord);
}

/** The user with this email (case-insensitive), or undefined. */
export function getUserByEmail(db: Db, email: string): UserRecord | undefined {
  const row = db.orm.select().from(users).where(eq(users.emailLower, normalizeEmail(email))).get();
  return row ? userRecord(row) : undefined;
}

export function getUserById(db: Db, id: number): UserRecord | undefined {
  const row = db.orm.select().from(users).where(eq(users.id, id)).get();
  return row ? userRecord(row) : undefined;
}

/**
 * The user with this email, or an error that says how to make one. `role` names what the user is
 * wanted as in the message, e.g. "owner" → `no user ann@x.com to be the owner; ...`.
 */
export function requireUserByEmail(db: Db, email: string, role = 'user'): UserRecord {
  const address = checkEmail(email, `${role} email`);
  const user = getUserByEmail(db, address);
  if (!user) {
    throw notFound(
      `${role} ${address} is not a user; create it with "casegate user create --email ${address} --name NAME" or list users with "casegate user list"`,
    );
  }
  return user;
}
