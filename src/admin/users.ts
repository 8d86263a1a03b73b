// Users: the agents of the support team. They own cases and assignment rules and write comments
// from the CLI. A user's email is unique, compared case-insensitively. Each has permissions on
// cases (read, create, edit; all by default).
import type { Tx } from '../db/engine.js';
import { allUsers, insertUser, setUserPermissions, userByEmail, type UserRow } from '../db/users.js';
import { PERMISSIONS, type Permission } from '../domain/permissions.js';
import { checkEmail, checkPermissions } from './input.js';
import { conflict, invalid, notFound } from '../errors.js';

export interface UserRecord {
  id: number;
  email: string;
  name: string;
  can: Permission[];
  createdAt: string;
}

export interface NewUser {
  email: string;
  name: string;
  /** Permissions as typed, e.g. `read,create`; all when not given. */
  can?: string;
}

export function userRecord(row: UserRow): UserRecord {
  return { id: row.id, email: row.email, name: row.name, can: row.can, createdAt: new Date(row.createdAt).toISOString() };
}

export async function createUser(tx: Tx, input: NewUser, now = Date.now()): Promise<UserRecord> {
  const email = checkEmail(input.email, 'user email');
  const name = input.name.trim();
  if (name === '') throw invalid('a user needs a name; give --name "Full Name"');
  const can = input.can === undefined ? [...PERMISSIONS] : checkPermissions(input.can);
  const existing = await userByEmail(tx, email);
  if (existing) {
    throw conflict(`a user with email ${existing.email} already exists (id ${existing.id}); list users with "casegate user list"`);
  }
  return userRecord(await insertUser(tx, email, name, can, now));
}

/** `user update EMAIL --can LIST`: sets what the user may do. */
export async function updateUser(tx: Tx, email: string, change: { can?: string }): Promise<UserRecord> {
  const user = await requireUserByEmail(tx, email);
  if (change.can === undefined) throw invalid('nothing to change; give --can read,create,edit (or fewer)');
  return userRecord(await setUserPermissions(tx, user.id, checkPermissions(change.can)));
}

export async function listUsers(tx: Tx): Promise<UserRecord[]> {
  return (await allUsers(tx)).map(userRecord);
}

/**
 * The user with this email, or an error that says how to make one. `role` names what the user is
 * wanted as in the message, e.g. "owner" → `owner ann@x.com is not a user; ...`.
 */
export async function requireUserByEmail(tx: Tx, email: string, role = 'user'): Promise<UserRow> {
  const address = checkEmail(email, `${role} email`);
  const user = await userByEmail(tx, address);
  if (!user) {
    throw notFound(
      `${role} ${address} is not a user; create it with "casegate user create --email ${address} --name NAME" or list users with "casegate user list"`,
    );
  }
  return user;
}
