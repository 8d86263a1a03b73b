// Who takes part in a case: the contact's address (or the sender of an unlinked case) and the
// collaborators (SPEC §1, §2.8).
import type { Db } from '../db/client.js';
import type { CaseRow } from '../db/cases.js';
import { contactById } from '../db/contacts.js';
import { collaboratorEmails } from '../db/collaborators.js';
import { participants } from '../domain/recipients.js';

/** The address that stands for the case contact: the contact's email, or the sender of an unlinked case. */
export function contactAddress(db: Db, row: CaseRow): string | null {
  if (row.contactId !== null) return contactById(db, row.contactId)?.email ?? null;
  return row.suppliedEmail;
}

/** The contact's address and the collaborators, once each. */
export function participantsOf(db: Db, row: CaseRow): { contact: string | null; collaborators: string[]; all: string[] } {
  const contact = contactAddress(db, row);
  const collaborators = collaboratorEmails(db, row.id);
  return { contact, collaborators, all: participants(contact, collaborators) };
}
