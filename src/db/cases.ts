// Reading cases and what hangs off them: the lookups the admin actions and the inbound pipeline share.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { statementCache, type Db } from './client.js';
import { attachments, cases, collaborators, comments, contacts, users } from './schema.js';
import { notFound, invalid } from '../errors.js';
import { normalizeEmail } from '../domain/address.js';

export type CaseRow = typeof cases.$inferSelect;
export type ContactRow = typeof contacts.$inferSelect;
export type UserRow = typeof users.$inferSelect;
export type CommentRow = typeof comments.$inferSelect;
export type AttachmentRow = typeof attachments.$inferSelect;

/** The lookups of the inbound hot path, prepared once per connection. */
const statementsOf = statementCache((db: Db) => ({
  caseById: db.orm.select().from(cases).where(eq(cases.id, sql.placeholder('id'))).prepare(),
  caseByNumber: db.orm.select().from(cases).where(eq(cases.number, sql.placeholder('number'))).prepare(),
  contactById: db.orm.select().from(contacts).where(eq(contacts.id, sql.placeholder('id'))).prepare(),
  collaborators: db.orm
    .select({ email: collaborators.email })
    .from(collaborators)
    .where(eq(collaborators.caseId, sql.placeholder('caseId')))
    .orderBy(asc(collaborators.id))
    .prepare(),
}));

export function findCaseByNumber(db: Db, number: string): CaseRow | undefined {
  return statementsOf(db).caseByNumber.get({ number });
}

/** The case with this number, or a not-found error that says how to find one. */
export function requireCase(db: Db, number: string): CaseRow {
  if (!/^\d{8}$/.test(number)) {
    throw invalid(`"${number}" is not a case number; case numbers have 8 digits, e.g. 00001001`);
  }
  const row = findCaseByNumber(db, number);
  if (!row) throw notFound(`no case ${number}; list cases with "casegate case list"`);
  return row;
}

export function findCaseById(db: Db, id: number): CaseRow | undefined {
  return statementsOf(db).caseById.get({ id });
}

export function findCaseByToken(db: Db, token: string): CaseRow | undefined {
  return db.orm.select().from(cases).where(eq(cases.addressToken, token)).get();
}

export function findContactById(db: Db, id: number): ContactRow | undefined {
  return statementsOf(db).contactById.get({ id });
}

export function contactsByEmail(db: Db, email: string): ContactRow[] {
  return db.orm.select().from(contacts).where(eq(contacts.emailLower, normalizeEmail(email))).all();
}

export function findUserById(db: Db, id: number): UserRow | undefined {
  return db.orm.select().from(users).where(eq(users.id, id)).get();
}

export function collaboratorEmails(db: Db, caseId: number): string[] {
  return statementsOf(db)
    .collaborators.all({ caseId })
    .map((r) => r.email);
}

/** The address that stands for the case contact: the contact's email, or the sender of an unlinked case. */
export function contactAddress(db: Db, row: CaseRow): string | null {
  if (row.contactId !== null) return findContactById(db, row.contactId)?.email ?? null;
  return row.suppliedEmail;
}

export function caseComments(db: Db, caseId: number, opts: { publicOnly?: boolean; upTo?: number } = {}): CommentRow[] {
  return db.orm
    .select()
    .from(comments)
    .where(eq(comments.caseId, caseId))
    .orderBy(asc(comments.id))
    .all()
    .filter((c) => (!opts.publicOnly || !c.internal) && (opts.upTo === undefined || c.id <= opts.upTo));
}

export function commentAttachments(db: Db, commentIds: number[]): AttachmentRow[] {
  if (commentIds.length === 0) return [];
  return db.orm
    .select()
    .from(attachments)
    .where(inArray(attachments.commentId, commentIds))
    .orderBy(asc(attachments.id))
    .all();
}

export function accountContacts(db: Db, accountId: number | null): ContactRow[] {
  if (accountId === null) return [];
  return db.orm.select().from(contacts).where(and(eq(contacts.accountId, accountId))).all();
}
