// Rule 7 of SPEC §2: collaborators of a case, and who may change them. Pure.
import { normalizeEmail } from './address.js';
import type { Check } from './caseRules.js';

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
export function mayChangeCollaborators(actor: Actor, parties: CaseParties, target: string): Check {
  if (actor.kind === 'operator') return { ok: true };
  const email = normalizeEmail(actor.email);
  if (parties.contactEmail !== null && email === normalizeEmail(parties.contactEmail)) return { ok: true };
  const c = actor.contact;
  if (c && c.active && c.helpAdmin) {
    if (parties.accountId !== null && c.accountId === parties.accountId) return { ok: true };
    if (email === normalizeEmail(target)) return { ok: true };
  }
  return {
    ok: false,
    reason: `${actor.email} may not change the collaborators of case ${parties.number}; only the case contact, a help admin of its account or the operator (no --as) may`,
  };
}

/** The limit, the contact not being its own collaborator, no address twice. */
export function checkNewCollaborator(parties: CaseParties, current: readonly string[], email: string): Check {
  const wanted = normalizeEmail(email);
  if (parties.contactEmail !== null && wanted === normalizeEmail(parties.contactEmail)) {
    return { ok: false, reason: `${email} is the contact of case ${parties.number} and cannot also be its collaborator; the contact gets every update already` };
  }
  if (current.some((c) => normalizeEmail(c) === wanted)) {
    return { ok: false, reason: `${email} is already a collaborator of case ${parties.number}; see "casegate collaborator list ${parties.number}"` };
  }
  if (current.length >= MAX_COLLABORATORS) {
    return {
      ok: false,
      reason: `case ${parties.number} already has ${MAX_COLLABORATORS} collaborators, the most allowed; remove one first`,
    };
  }
  return { ok: true };
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
