// Who takes part in a case: the contact's address (or the sender of an unlinked case) and the
// collaborators (SPEC §1, §2.8).
import type { Tx } from '../db/engine.js';
import type { CaseRow } from '../db/cases.js';
import { contactById } from '../db/contacts.js';
import { collaboratorEmails } from '../db/collaborators.js';
import { participants } from '../domain/recipients.js';

/** The address that stands for the case contact: the contact's email, or the sender of an unlinked case. */
export async function contactAddress(tx: Tx, row: CaseRow): Promise<string | null> {
  if (row.contactId !== null) return (await contactById(tx, row.contactId))?.email ?? null;
  return row.suppliedEmail;
}

/** Who takes part in one case: the contact's address, the collaborators, and both, once each. */
export interface Participants {
  contact: string | null;
  collaborators: string[];
  all: string[];
}

/** The contact's address and the collaborators, once each. */
export async function participantsOf(tx: Tx, row: CaseRow): Promise<Participants> {
  const contact = await contactAddress(tx, row);
  const collaborators = await collaboratorEmails(tx, row.id);
  return { contact, collaborators, all: participants(contact, collaborators) };
}
