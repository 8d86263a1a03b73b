// Linking a case to its contact (SPEC §3): link, relink, unlink. Account and division follow the
// contact, as in Salesforce.
import type { Tx } from '../db/engine.js';
import { caseById, setCaseContact, type CaseRow } from '../db/cases.js';
import type { ContactRow } from '../db/contacts.js';
import { collaboratorEmails } from '../db/collaborators.js';
import { requireEligible } from './open.js';
import { normalizeEmail } from '../domain/address.js';
import { conflict } from '../errors.js';

export async function linkContact(tx: Tx, row: CaseRow, contact: ContactRow, now: number): Promise<CaseRow> {
  requireEligible(contact);
  if (row.contactId === contact.id) throw conflict(`case ${row.number} is already linked to contact ${contact.id}; nothing to change`);
  if ((await collaboratorEmails(tx, row.id)).some((e) => normalizeEmail(e) === contact.emailLower)) {
    throw conflict(
      `${contact.email} is a collaborator of case ${row.number}; remove it first with "casegate collaborator remove ${row.number} ${contact.email}"`,
    );
  }
  await setCaseContact(tx, row.id, { contactId: contact.id, accountId: contact.accountId ?? row.accountId, division: contact.division ?? row.division }, now);
  return await caseById(tx, row.id) as CaseRow;
}

export async function unlinkContact(tx: Tx, row: CaseRow, now: number): Promise<CaseRow> {
  if (row.contactId === null) throw conflict(`case ${row.number} has no contact to unlink; link one with "casegate case link-contact ${row.number} CONTACT"`);
  await setCaseContact(tx, row.id, { contactId: null, accountId: row.accountId, division: row.division }, now);
  return await caseById(tx, row.id) as CaseRow;
}
