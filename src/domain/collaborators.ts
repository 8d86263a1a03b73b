// Rule 7 of SPEC §2: collaborators of a case, and who may change them. Pure.
import { normalizeEmail } from './address.js';

export const MAX_COLLABORATORS = 20;

/** The person acting: the operator at the CLI (no --as), or someone named by email. */
export type Actor =
  | { kind: 'operator' }
  | { kind: 'person'; email: string; contact: { accountId: number | null; helpAdmin: boolean; active: boolean } | null };

export interface CaseParties {
  number: string;
  contactEmail: string | null;
  accountId: number | null;
}

/**
 * The case contact, a help admin of the case's account, or the operator may add or remove anyone;
 * a help admin may add or remove itself; anyone else (a collaborator too) is refused.
 */
export function mayChangeCollaborators(actor: Actor, parties: CaseParties, target: string): boolean {
  if (actor.kind === 'operator') return true;
  const email = normalizeEmail(actor.email);
  if (parties.contactEmail !== null && email === normalizeEmail(parties.contactEmail)) return true;
  const c = actor.contact;
  if (c && c.active && c.helpAdmin) {
    if (parties.accountId !== null && c.accountId === parties.accountId) return true;
    if (email === normalizeEmail(target)) return true;
  }
  return false;
}

export type CollaboratorRefusal = 'is-contact' | 'already-collaborator' | 'limit-reached';

/** The limit, the contact not being its own collaborator, no address twice; null when it fits. */
export function checkNewCollaborator(parties: CaseParties, current: readonly string[], email: string): CollaboratorRefusal | null {
  const wanted = normalizeEmail(email);
  if (parties.contactEmail !== null && wanted === normalizeEmail(parties.contactEmail)) return 'is-contact';
  if (current.some((c) => normalizeEmail(c) === wanted)) return 'already-collaborator';
  if (current.length >= MAX_COLLABORATORS) return 'limit-reached';
  return null;
}

export interface AccountContact {
  email: string;
  accountId: number | null;
  active: boolean;
}

/** The "active contact" indicator: the address is an active contact of the case's account. */
export function isActiveContact(email: string, accountId: number | null, contacts: readonly AccountContact[]): boolean {
  if (accountId === null) return false;
  const wanted = normalizeEmail(email);
  return contacts.some((c) => c.active && c.accountId === accountId && normalizeEmail(c.email) === wanted);
}
