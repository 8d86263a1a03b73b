// What the Help portal shows (SPEC §11): the cases a person may see, and one case with its public
// comments, their attachments and its collaborators. Never an internal comment.
import type { Tx } from '../db/engine.js';
import { casesForPortal, type CaseRow } from '../db/cases.js';
import { commentsOfCase } from '../db/comments.js';
import { attachmentsOf, type AttachmentRow } from '../db/attachments.js';
import { contactById, searchContactsOfAccount } from '../db/contacts.js';
import { collaboratorList } from './case.js';
import type { Viewer } from '../domain/portal.js';

export async function portalCases(tx: Tx, viewer: Viewer): Promise<CaseRow[]> {
  const admin = viewer.contacts.filter((c) => c.helpAdmin && c.accountId !== null).map((c) => c.accountId as number);
  return casesForPortal(
    tx,
    viewer.contacts.map((c) => c.id),
    admin,
  );
}

export interface PortalComment {
  id: number;
  author: string;
  body: string;
  createdAt: number;
  attachments: Array<Pick<AttachmentRow, 'id' | 'filename' | 'contentType' | 'size'>>;
}

export async function portalCase(tx: Tx, row: CaseRow) {
  const comments = (await commentsOfCase(tx, row.id)).filter((c) => !c.internal);
  const files = await attachmentsOf(
    tx,
    comments.map((c) => c.id),
  );
  return {
    number: row.number,
    subject: row.subject,
    description: row.description,
    status: row.status,
    contact: row.contactId === null ? row.suppliedEmail : ((await contactById(tx, row.contactId))?.email ?? null),
    comments: comments.map(
      (c): PortalComment => ({
        id: c.id,
        author: c.authorName ? `${c.authorName} <${c.authorEmail}>` : c.authorEmail,
        body: c.body,
        createdAt: c.createdAt,
        attachments: files.filter((a) => a.commentId === c.id).map((a) => ({ id: a.id, filename: a.filename, contentType: a.contentType, size: a.size })),
      }),
    ),
    collaborators: (await collaboratorList(tx, row)).map((c) => ({ email: c.email, activeContact: c.activeContact })),
  };
}
export type PortalCase = Awaited<ReturnType<typeof portalCase>>;

/** Contacts of the case's account matching `q` (name or email), to add as collaborators. */
export async function portalContactSearch(tx: Tx, row: CaseRow, q: string): Promise<Array<{ name: string; email: string }>> {
  if (row.accountId === null || q.trim() === '') return [];
  return (await searchContactsOfAccount(tx, row.accountId, q.trim().slice(0, 100), 20)).filter((c) => c.active).map((c) => ({ name: `${c.firstName} ${c.lastName}`.trim(), email: c.email }));
}

/** An attachment of a public comment of this case, or undefined (internal comments' files are never served). */
export async function portalAttachment(tx: Tx, row: CaseRow, attachmentId: number): Promise<AttachmentRow | undefined> {
  const comments = (await commentsOfCase(tx, row.id)).filter((c) => !c.internal);
  return (await attachmentsOf(
    tx,
    comments.map((c) => c.id),
  )).find((a) => a.id === attachmentId);
}
