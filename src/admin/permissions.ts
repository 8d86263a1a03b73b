// Who may do what with cases: a command names the permission it needs and the actor doing it (a
// user given with --as today; an API key later, issue 13) must hold it. The rule is
// src/domain/permissions.ts; here the actor is looked up and a refusal says what to do.
import type { Tx } from '../db/engine.js';
import type { UserRow } from '../db/users.js';
import { formatPermissions, missingPermission, type Actor, type Permission } from '../domain/permissions.js';
import { forbidden } from '../errors.js';
import { requireUserByEmail } from './users.js';

/** What to do about a missing permission, by kind of actor. */
const REMEDY: Record<Actor['kind'], (actor: Actor, missing: Permission) => string> = {
  user: (a, missing) => `give it with "casegate user update ${a.name} --can ${formatPermissions([...a.can, missing])}" or act as another user`,
  'api key': () => 'use a key that has it',
};

/** Refuses an actor that lacks `need`; `doing` says what it tried, e.g. "create cases". */
export function requirePermission(actor: Actor, need: Permission, doing: string): void {
  const missing = missingPermission(actor, need);
  if (missing !== null) {
    throw forbidden(`${actor.kind} ${actor.name} may not ${doing}: it lacks the "${missing}" permission; ${REMEDY[actor.kind](actor, missing)}`);
  }
}

export const userActor = (user: UserRow): Actor => ({ kind: 'user', name: user.email, can: user.can });

/** The user acting (`--as`), refused unless it holds `need`. */
export async function requireUserAllowed(tx: Tx, email: string, need: Permission, doing: string, role = 'acting user (--as)'): Promise<UserRow> {
  const user = await requireUserByEmail(tx, email, role);
  requirePermission(userActor(user), need, doing);
  return user;
}
