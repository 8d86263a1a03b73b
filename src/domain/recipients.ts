// Who gets a notification (SPEC §2.6, §5): participants are the case contact and the collaborators;
// a comment goes to every participant but its author. Pure.
import { normalizeEmail } from './address.js';

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
