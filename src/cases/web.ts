// Opening a case from the Web-to-Case form (SPEC §8) by the rules of mail: the contact with the
// submitter's email (exactly one), or a new one when the web setting says create contacts, else
// unlinked with the submitter as supplied email; assignment; the "case created" email. The
// description and the attachments become the case's first comment, as the body of a mail does.
import type { Config } from '../config.js';
import type { Tx } from '../db/engine.js';
import type { CaseRow } from '../db/cases.js';
import { contactById, contactsByEmail, type ContactRow } from '../db/contacts.js';
import type { NewAttachment } from '../db/attachments.js';
import { contactFromSender, matchContact } from '../domain/contacts.js';
import { createContact } from '../admin/contacts.js';
import { addComment } from './comment.js';
import { openIncomingCase } from './open.js';

export interface WebSubmission {
  name: string;
  email: string;
  subject: string;
  description: string;
  /** Attachments whose content is already in the blob store. */
  attachments: readonly NewAttachment[];
}

export async function openWebCase(
  tx: Tx,
  config: Pick<Config, 'domain' | 'defaultOwner' | 'webCreateContacts' | 'notifyOwner'>,
  s: WebSubmission,
  now = Date.now(),
): Promise<CaseRow> {
  const match = matchContact(s.email, await contactsByEmail(tx, s.email));
  let contact: ContactRow | null = match.kind === 'linked' ? match.contact : null;
  if (match.kind === 'none' && config.webCreateContacts) {
    const made = contactFromSender({ address: s.email, name: s.name });
    contact = await contactById(tx, (await createContact(tx, made, now)).contact.id) ?? null;
  }
  const row = await openIncomingCase(
    tx,
    config,
    {
      subject: s.subject,
      description: s.description,
      contact,
      priority: 'Medium',
      origin: 'Web',
      supplied: contact === null ? { email: s.email, name: s.name } : null,
    },
    now,
  );
  if (s.description.trim() !== '' || s.attachments.length > 0) {
    await addComment(
      tx,
      config,
      row,
      { authorEmail: s.email, authorName: s.name, body: s.description, fullBody: s.description, source: 'web', internal: false, inboundId: null, attachments: s.attachments },
      now,
    );
  }
  return row;
}
