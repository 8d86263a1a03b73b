// `collaborator add|remove|list` (SPEC §2.7): who may change them, the limit, and the history
// email a collaborator added after creation receives.
import { and, desc, eq } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { collaborators, comments } from '../db/schema.js';
import { accountContacts, collaboratorEmails, contactAddress, contactsByEmail, requireCase, type CaseRow } from '../db/cases.js';
import { enqueueNotification } from '../db/notifications.js';
import { checkNewCollaborator, isActiveContact, mayChangeCollaborators, type Actor } from '../domain/collaborators.js';
import { isEmailAddress, normalizeEmail } from '../domain/address.js';
import { forbidden, invalid, notFound } from '../errors.js';

function actorFor(db: Db, row: CaseRow, as: string | undefined): Actor {
  if (as === undefined) return { kind: 'operator' };
  if (!isEmailAddress(as)) throw invalid(`--as "${as}" is not an email address; give the acting person's address, or leave --as out to act as the operator`);
  const known = contactsByEmail(db, as);
  const contact = known.find((c) => c.accountId === row.accountId) ?? known[0] ?? null;
  return {
    kind: 'person',
    email: as,
    contact: contact ? { accountId: contact.accountId, helpAdmin: contact.helpAdmin, active: contact.active } : null,
  };
}

function parties(db: Db, row: CaseRow) {
  return { number: row.number, contactEmail: contactAddress(db, row), accountId: row.accountId };
}

function view(db: Db, row: CaseRow, email: string, extra: Record<string, unknown> = {}) {
  return {
    case: row.number,
    email,
    activeContact: isActiveContact(email, row.accountId, accountContacts(db, row.accountId)),
    ...extra,
  };
}

export function addCollaborator(db: Db, config: Config, number: string, email: string, as?: string, now = Date.now()) {
  const row = requireCase(db, number);
  const address = email.trim();
  if (!isEmailAddress(address)) throw invalid(`"${email}" is not an email address; give one like bob@example.com`);
  const who = parties(db, row);
  const allowed = mayChangeCollaborators(actorFor(db, row, as), who, address);
  if (!allowed.ok) throw forbidden(allowed.reason);
  // The limit is checked under the write lock (BEGIN IMMEDIATE), so that adds running at the same
  // time cannot together pass 20.
  const id = db.sqlite.transaction(() => {
    const fits = checkNewCollaborator(who, collaboratorEmails(db, row.id), address);
    if (!fits.ok) throw invalid(fits.reason);
    const inserted = db.orm
      .insert(collaborators)
      .values({ caseId: row.id, email: address, emailLower: normalizeEmail(address), addedBy: as ?? 'operator', createdAt: now })
      .returning({ id: collaborators.id })
      .get();
    const last = db.orm
      .select({ id: comments.id })
      .from(comments)
      .where(and(eq(comments.caseId, row.id), eq(comments.internal, false)))
      .orderBy(desc(comments.id))
      .limit(1)
      .get();
    enqueueNotification(
      db,
      { caseId: row.id, commentId: last?.id ?? null, kind: 'history', recipients: [address] },
      config.domain,
      now,
    );
    return inserted.id;
  }).immediate();
  return view(db, row, address, { id, addedBy: as ?? 'operator', createdAt: new Date(now).toISOString() });
}

export function removeCollaborator(db: Db, _config: Config, number: string, email: string, as?: string) {
  const row = requireCase(db, number);
  const allowed = mayChangeCollaborators(actorFor(db, row, as), parties(db, row), email);
  if (!allowed.ok) throw forbidden(allowed.reason);
  const removed = db.orm
    .delete(collaborators)
    .where(and(eq(collaborators.caseId, row.id), eq(collaborators.emailLower, normalizeEmail(email))))
    .returning({ id: collaborators.id })
    .get();
  if (!removed) {
    throw notFound(`${email} is not a collaborator of case ${number}; see "casegate collaborator list ${number}"`);
  }
  return view(db, row, email, { id: removed.id, removed: true });
}

export function listCollaborators(db: Db, _config: Config, number: string) {
  const row = requireCase(db, number);
  const members = accountContacts(db, row.accountId);
  return db.orm
    .select()
    .from(collaborators)
    .where(eq(collaborators.caseId, row.id))
    .orderBy(collaborators.id)
    .all()
    .map((c) => ({
      id: c.id,
      case: row.number,
      email: c.email,
      activeContact: isActiveContact(c.email, row.accountId, members),
      addedBy: c.addedBy,
      createdAt: new Date(c.createdAt).toISOString(),
    }));
}
