// Adding and removing collaborators (SPEC §2.7): who may, the limit, and the history email a
// collaborator added after creation receives.
import type { Config } from '../config.js';
import { transaction, type Db } from '../db/client.js';
import type { CaseRow } from '../db/cases.js';
import { contactsByEmail } from '../db/contacts.js';
import { collaboratorEmails, deleteCollaborator, insertCollaborator, type CollaboratorRow } from '../db/collaborators.js';
import { lastPublicCommentId } from '../db/comments.js';
import { retireReplyAddresses } from '../db/replyAddresses.js';
import { checkNewCollaborator, mayChangeCollaborators, MAX_COLLABORATORS, type Actor, type CaseParties, type CollaboratorRefusal } from '../domain/collaborators.js';
import { isEmailAddress, normalizeEmail } from '../domain/address.js';
import { forbidden, invalid, notFound } from '../errors.js';
import { enqueueNotification } from './notify.js';
import { contactAddress } from './participants.js';

/** Who acts: the operator (no `as`), or a person by email, with their contact record if any. */
export function actorFor(db: Db, row: CaseRow, as: string | undefined): Actor {
  if (as === undefined) return { kind: 'operator' };
  if (!isEmailAddress(as)) throw invalid(`--as "${as}" is not an email address; give the acting person's address, or leave --as out to act as the operator`);
  const known = contactsByEmail(db, as);
  const contact = known.find((c) => c.accountId === row.accountId) ?? known[0] ?? null;
  return { kind: 'person', email: as, contact: contact ? { accountId: contact.accountId, helpAdmin: contact.helpAdmin, active: contact.active } : null };
}

function partiesOf(db: Db, row: CaseRow): CaseParties {
  return { number: row.number, contactEmail: contactAddress(db, row), accountId: row.accountId };
}

function requireAllowed(actor: Actor, parties: CaseParties, target: string): void {
  if (actor.kind === 'person' && !mayChangeCollaborators(actor, parties, target)) {
    throw forbidden(
      `${actor.email} may not change the collaborators of case ${parties.number}; only the case contact, a help admin of its account or the operator (no --as) may`,
    );
  }
}

const REFUSALS: Record<CollaboratorRefusal, (email: string, number: string) => string> = {
  'is-contact': (email, n) => `${email} is the contact of case ${n} and cannot also be its collaborator; the contact gets every update already`,
  'already-collaborator': (email, n) => `${email} is already a collaborator of case ${n}; see "casegate collaborator list ${n}"`,
  'limit-reached': (_email, n) => `case ${n} already has ${MAX_COLLABORATORS} collaborators, the most allowed; remove one first`,
};

/** Adds a collaborator and queues their history email; the limit is checked under the write lock. */
export function addCollaborator(db: Db, config: Pick<Config, 'domain'>, row: CaseRow, email: string, actor: Actor, now: number): CollaboratorRow {
  const address = email.trim();
  if (!isEmailAddress(address)) throw invalid(`"${email}" is not an email address; give one like bob@example.com`);
  const parties = partiesOf(db, row);
  requireAllowed(actor, parties, address);
  // BEGIN IMMEDIATE: adds running at the same time in other processes cannot together pass 20.
  return transaction(
    db,
    () => {
      const refusal = checkNewCollaborator(parties, collaboratorEmails(db, row.id), address);
      if (refusal !== null) throw invalid(REFUSALS[refusal](address, row.number));
      const added = insertCollaborator(db, row.id, address, actor.kind === 'operator' ? 'operator' : actor.email, now);
      enqueueNotification(db, { caseId: row.id, commentId: lastPublicCommentId(db, row.id), kind: 'history', recipients: [address] }, config.domain, now);
      return added;
    },
    'immediate',
  );
}

/**
 * Removes a collaborator and retires the reply address issued to them (mail to it is then refused
 * at RCPT, and a reply through their earlier notifications is refused); returns the removed row's id.
 */
export function removeCollaborator(db: Db, row: CaseRow, email: string, actor: Actor, now = Date.now()): number {
  requireAllowed(actor, partiesOf(db, row), email);
  return transaction(db, () => {
    const id = deleteCollaborator(db, row.id, email);
    if (id === undefined) throw notFound(`${email} is not a collaborator of case ${row.number}; see "casegate collaborator list ${row.number}"`);
    retireReplyAddresses(db, row.id, 'collaborator', normalizeEmail(email), now);
    return id;
  });
}
