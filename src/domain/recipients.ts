// Who gets a notification (SPEC §2.6, §5): participants are the case contact and the collaborators;
// a comment goes to every participant but its author. Pure.
import { normalizeEmail } from './address.js';

/** Whom a reply address is issued to: the case contact, a collaborator, or the case owner (a user). */
export const PARTICIPANT_KINDS = Object.freeze(['contact', 'collaborator', 'owner'] as const);
export type ParticipantKind = (typeof PARTICIPANT_KINDS)[number];

/** The one person a reply address or a Message-ID of ours was issued to (`address` lower-cased). */
export interface IssuedTo {
  readonly kind: ParticipantKind;
  readonly address: string;
  /** False once retired (a removed collaborator's): then nobody may reply through it. */
  readonly live: boolean;
}

/**
 * A reply through an address or a Message-ID issued to one person is theirs only (SPEC §4 *Sender
 * trust*): `From` must be that address, and they must still take part (a contact or collaborator
 * still among the participants, an owner still the case owner).
 */
export function isIssuedSender(from: string, issued: IssuedTo, now: { participants: readonly string[]; ownerEmail: string | null }): boolean {
  const sender = normalizeEmail(from);
  if (!issued.live || sender !== issued.address) return false;
  if (issued.kind === 'owner') return now.ownerEmail !== null && normalizeEmail(now.ownerEmail) === sender;
  return now.participants.some((p) => normalizeEmail(p) === sender);
}

/** The case contact's address (or, for an unlinked case, its sender's) and the collaborators, once each. */
export function participants(contactEmail: string | null, collaborators: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const email of [contactEmail, ...collaborators]) {
    if (email === null) continue;
    const key = normalizeEmail(email);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(email);
  }
  return out;
}

/** The address of `known` that is `email` (letter case ignored), as it is stored; null when none is. */
export function knownAddress(email: string, known: readonly string[]): string | null {
  const key = normalizeEmail(email);
  return known.find((k) => normalizeEmail(k) === key) ?? null;
}

export function isParticipant(email: string, contactEmail: string | null, collaborators: readonly string[]): boolean {
  const key = normalizeEmail(email);
  return participants(contactEmail, collaborators).some((p) => normalizeEmail(p) === key);
}

/** A public comment goes to every participant but its author; an internal one to nobody. */
export function commentRecipients(all: readonly string[], authorEmail: string, internal: boolean): string[] {
  if (internal) return [];
  const author = normalizeEmail(authorEmail);
  return all.filter((p) => normalizeEmail(p) !== author);
}
