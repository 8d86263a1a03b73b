// Reading cases and what hangs off them: the lookups the admin actions and the inbound pipeline share.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { statementCache, type Store } from './client.js';
import { attachments, cases, collaborators, comments, contacts, users } from './schema.js';
import { notFound, invalid } from '../errors.js';
import { normalizeEmail } from '../domain/address.js';

export type CaseRow = typeof cases.$inferSelect;
export type ContactRow = typeof contacts.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type CommentRow = typeof comments.$inferSelect;
export type AttachmentRow = typeof attachments.$inferSelect;

/** The lookups of the inbound hot path, prepared once per connection. */
const statementsOf = statementCache((store: Store) => ({
  caseById: store.db.select().from(cases).where(eq(cases.id, sql.placeholder('id'))).prepare(),
  caseByNumber: store.db.select().from(cases).where(eq(cases.number, sql.placeholder('number'))).prepare(),
  contactById: store.db.select().from(contacts).where(eq(contacts.id, sql.placeholder('id'))).prepare(),
  collaborators: store.db
    .select({ email: collaborators.email })
    .from(collaborators)
    .where(eq(collaborators.caseId, sql.placeholder('caseId')))
    .orderBy(asc(collaborators.id))
    .prepare(),
}));

export function findCaseByNumber(store: Store, number: string): CaseRow | undefined {
  return statementsOf(store).caseByNumber.get({ number });
}

/** The case with this number, or a not-found error that says how to find one. */
export function requireCase(store: Store, number: string): CaseRow {
  if (!/^\d{8}$/.test(number)) {
    throw invalid(`"${number}" is not a case number; case numbers have 8 digits, e.g. 00001001`);
  }
  const row = findCaseByNumber(store, number);
  if (!row) throw notFound(`no case ${number}; list cases with "casegate case list"`);
  return row;
}

export function findCaseById(store: Store, id: number): CaseRow | undefined {
  return statementsOf(store).caseById.get({ id });
}

export function findCaseByToken(store: Store, token: string): CaseRow | undefined {
  return store.db.select().from(cases).where(eq(cases.addressToken, token)).get();
}

export function findContactById(store: Store, id: number): ContactRow | undefined {
  return statementsOf(store).contactById.get({ id });
}

export function contactsByEmail(store: Store, email: string): ContactRow[] {
  return store.db.select().from(contacts).where(eq(contacts.emailLower, normalizeEmail(email))).all();
}

export function findUserById(store: Store, id: number): UserRow | undefined {
  return store.db.select().from(users).where(eq(users.id, id)).get();
}

export function collaboratorEmails(store: Store, caseId: number): string[] {
  return statementsOf(store)
    .collaborators.all({ caseId })
    .map((r) => r.email);
}

/** The address that stands for the case contact: the contact's email, or the sender of an unlinked case. */
export function contactAddress(store: Store, row: CaseRow): string | null {
  if (row.contactId !== null) return findContactById(store, row.contactId)?.email ?? null;
  return row.suppliedEmail;
}

export function caseComments(store: Store, caseId: number, opts: { publicOnly?: boolean; upTo?: number } = {}): CommentRow[] {
  return store.db
    .select()
    .from(comments)
    .where(eq(comments.caseId, caseId))
    .orderBy(asc(comments.id))
    .all()
    .filter((c) => (!opts.publicOnly || !c.internal) && (opts.upTo === undefined || c.id <= opts.upTo));
}

export function commentAttachments(store: Store, commentIds: number[]): AttachmentRow[] {
  if (commentIds.length === 0) return [];
  return store.db
    .select()
    .from(attachments)
    .where(inArray(attachments.commentId, commentIds))
    .orderBy(asc(attachments.id))
    .all();
}

export function accountContacts(store: Store, accountId: number | null): ContactRow[] {
  if (accountId === null) return [];
  return store.db.select().from(contacts).where(and(eq(contacts.accountId, accountId))).all();
}
