// Linking a case to its contact (SPEC §3): link, unlink, relink, and the suggestions for an unlinked case.
import { eq } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { cases, contacts } from '../db/schema.js';
import { collaboratorEmails, findContactById, requireCase } from '../db/cases.js';
import { requireContact } from './contacts.js';
import { checkEligibility } from '../domain/caseRules.js';
import { suggestContacts } from '../domain/contacts.js';
import { normalizeEmail } from '../domain/address.js';
import { conflict, invalid } from '../errors.js';
import { showCase } from './cases.js';

/** Links (or relinks) the case to a contact; account and division follow the contact, as in Salesforce. */
export function linkContact(db: Db, config: Config, number: string, contactRef: string, now = Date.now()) {
  const row = requireCase(db, number);
  const found = findContactById(db, requireContact(db, contactRef).id);
  if (!found) throw new Error(`contact ${contactRef} vanished`);
  const contact = found;
  const eligible = checkEligibility(contact);
  if (!eligible.ok) throw invalid(eligible.reason);
  if (row.contactId === contact.id) throw conflict(`case ${number} is already linked to contact ${contact.id} (${contact.email}); nothing to change`);
  if (collaboratorEmails(db, row.id).some((e) => normalizeEmail(e) === contact.emailLower)) {
    throw conflict(
      `${contact.email} is a collaborator of case ${number}; remove it first with "casegate collaborator remove ${number} ${contact.email}"`,
    );
  }
  db.orm
    .update(cases)
    .set({
      contactId: contact.id,
      accountId: contact.accountId ?? row.accountId,
      division: contact.division ?? row.division,
      updatedAt: now,
    })
    .where(eq(cases.id, row.id))
    .run();
  return showCase(db, config, number);
}

export function unlinkContact(db: Db, config: Config, number: string, now = Date.now()) {
  const row = requireCase(db, number);
  if (row.contactId === null) throw conflict(`case ${number} has no contact to unlink; link one with "casegate case link-contact ${number} CONTACT"`);
  db.orm.update(cases).set({ contactId: null, updatedAt: now }).where(eq(cases.id, row.id)).run();
  return showCase(db, config, number);
}

/** Contacts that may be the sender of an unlinked case (by email, then name, then username/handle/external id). */
export function suggestContactsFor(db: Db, _config: Config, number: string) {
  const row = requireCase(db, number);
  const linked = row.contactId === null ? null : findContactById(db, row.contactId);
  const sender = row.suppliedEmail ?? linked?.email ?? null;
  if (sender === null) return [];
  return suggestContacts({ address: sender, name: row.suppliedName ?? '' }, db.orm.select().from(contacts).all()).map((c) => ({
    id: c.id,
    email: c.email,
    firstName: c.firstName,
    lastName: c.lastName,
    account: c.accountId,
  }));
}
