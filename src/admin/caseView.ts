// The record `case show` prints (SPEC §6), and the shorter one `case list` prints.
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { cases, contacts } from '../db/schema.js';
import {
  accountContacts,
  caseComments,
  collaboratorEmails,
  commentAttachments,
  findCaseById,
  findContactById,
  findUserById,
  type CaseRow,
} from '../db/cases.js';
import { isActiveContact } from '../domain/collaborators.js';
import { suggestContacts } from '../domain/contacts.js';
import { caseAddress } from '../domain/mailNames.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function caseSummary(db: Db, row: CaseRow, domain: string) {
  const contact = row.contactId === null ? null : findContactById(db, row.contactId);
  const owner = row.ownerId === null ? null : findUserById(db, row.ownerId);
  const parent = row.parentId === null ? null : findCaseById(db, row.parentId);
  return {
    id: row.id,
    number: row.number,
    subject: row.subject,
    status: row.status,
    priority: row.priority,
    origin: row.origin,
    owner: owner?.email ?? null,
    account: row.accountId,
    parent: parent?.number ?? null,
    division: row.division,
    closedWhenCreated: row.closedWhenCreated,
    address: caseAddress(row.addressToken, domain),
    contact: contact ? { id: contact.id, email: contact.email, name: `${contact.firstName} ${contact.lastName}`.trim() } : null,
    suppliedEmail: row.suppliedEmail,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export type CaseSummary = ReturnType<typeof caseSummary>;

export function caseDetail(db: Db, row: CaseRow, domain: string) {
  const summary = caseSummary(db, row, domain);
  const members = accountContacts(db, row.accountId);
  const commentRows = caseComments(db, row.id);
  const files = commentAttachments(
    db,
    commentRows.map((c) => c.id),
  );
  const children = db.orm
    .select({ number: cases.number })
    .from(cases)
    .where(eq(cases.parentId, row.id))
    .orderBy(asc(cases.id))
    .all()
    .map((c) => c.number);
  const suggested =
    row.contactId === null && row.suppliedEmail !== null
      ? suggestContacts(
          { address: row.suppliedEmail, name: row.suppliedName ?? '' },
          db.orm.select().from(contacts).all(),
        ).map((c) => ({ id: c.id, email: c.email, name: `${c.firstName} ${c.lastName}`.trim() }))
      : [];
  return {
    ...summary,
    description: row.description,
    children,
    closedAt: iso(row.closedAt),
    collaborators: collaboratorEmails(db, row.id).map((email) => ({
      email,
      activeContact: isActiveContact(email, row.accountId, members),
    })),
    suggestedContacts: suggested,
    comments: commentRows.map((c) => ({
      id: c.id,
      author: c.authorEmail,
      body: c.body,
      /** The whole text as received, quoted history included. */
      fullBody: c.fullBody,
      source: c.source,
      internal: c.internal,
      createdAt: iso(c.createdAt),
      attachments: files
        .filter((a) => a.commentId === c.id)
        .map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size, sha256: a.sha256, inline: a.inline })),
    })),
  };
}

export type CaseDetail = ReturnType<typeof caseDetail>;
