// Adding and removing collaborators (SPEC §2.7): who may, the limit, and the history email a
// collaborator added after creation receives.
import type { Config } from '../config.js';
import type { Tx } from '../db/engine.js';
import { lockCase, type CaseRow } from '../db/cases.js';
import { contactsByEmail } from '../db/contacts.js';
import { collaboratorEmails, deleteCollaborator, insertCollaborator, type CollaboratorRow } from '../db/collaborators.js';
import { lastPublicCommentId } from '../db/comments.js';
import { retireReplyAddresses } from '../db/replyAddresses.js';
import { userByEmail } from '../db/users.js';
import { checkNewCollaborator, mayChangeCollaborators, MAX_COLLABORATORS, type Actor as PartyActor, type CaseParties, type CollaboratorRefusal } from '../domain/collaborators.js';
import { addressProblem, normalizeEmail } from '../domain/address.js';
import { missingPermission } from '../domain/permissions.js';
import { userActor } from '../admin/permissions.js';
import { forbidden, invalid, notFound } from '../errors.js';
import { enqueueNotification } from './notify.js';
import { portalKey } from './portalKey.js';
import { contactAddress } from './participants.js';

/**
 * Who changes the collaborators: the operator at the CLI (no --as), a user (agent) of the support
 * team with the edit permission, who may do what the operator may, or a person (the case contact,
 * a help admin) held to the rule of SPEC §2.7.
 */
export type CollaboratorActor = PartyActor | { kind: 'agent'; email: string };

/** Who acts: the operator (no `as`), a user with edit, or a person by email with their contact record if any. */
export async function actorFor(tx: Tx, row: CaseRow, as: string | undefined): Promise<CollaboratorActor> {
  if (as === undefined) return { kind: 'operator' };
  const problem = addressProblem(as);
  if (problem !== null) throw invalid(`--as "${as}" is not an email address (${problem}); give the acting person's address, or leave --as out to act as the operator`);
  const user = await userByEmail(tx, as);
  if (user && missingPermission(userActor(user), 'edit') === null) return { kind: 'agent', email: user.email };
  const known = await contactsByEmail(tx, as);
  const contact = known.find((c) => c.accountId === row.accountId) ?? known[0] ?? null;
  return { kind: 'person', email: as, contact: contact ? { accountId: contact.accountId, helpAdmin: contact.helpAdmin, active: contact.active } : null };
}

async function partiesOf(tx: Tx, row: CaseRow): Promise<CaseParties> {
  return { number: row.number, contactEmail: await contactAddress(tx, row), accountId: row.accountId };
}

async function requireAllowed(tx: Tx, actor: CollaboratorActor, parties: CaseParties, target: string): Promise<void> {
  if (actor.kind !== 'person' || mayChangeCollaborators(actor, parties, target)) return;
  // A user without edit is told what it lacks; anyone else, who may.
  const user = await userByEmail(tx, actor.email);
  const lacks = user ? `; user ${user.email} lacks the "edit" permission that would let it act for the support team` : '';
  throw forbidden(
    `${actor.email} may not change the collaborators of case ${parties.number}; only the case contact, a help admin of its account, a user with the edit permission or the operator (no --as) may${lacks}`,
  );
}

const addedBy = (actor: CollaboratorActor): string => (actor.kind === 'operator' ? 'operator' : actor.email);

const REFUSALS: Record<CollaboratorRefusal, (email: string, number: string) => string> = {
  'is-contact': (email, n) => `${email} is the contact of case ${n} and cannot also be its collaborator; the contact gets every update already`,
  'already-collaborator': (email, n) => `${email} is already a collaborator of case ${n}; see "casegate collaborator list ${n}"`,
  'limit-reached': (_email, n) => `case ${n} already has ${MAX_COLLABORATORS} collaborators, the most allowed; remove one first`,
};

/**
 * Adds a collaborator and queues their history email, in the caller's write transaction; the limit
 * is checked under the case's lock, so that adds at the same time (other processes, other nodes)
 * cannot together pass 20.
 */
export async function addCollaborator(tx: Tx, config: Pick<Config, 'domain'>, row: CaseRow, email: string, actor: CollaboratorActor, now: number): Promise<CollaboratorRow> {
  const address = email.trim();
  const problem = addressProblem(address);
  if (problem !== null) throw invalid(`"${email}" is not an email address (${problem}); give a plain address like bob@example.com`);
  const parties = await partiesOf(tx, row);
  await requireAllowed(tx, actor, parties, address);
  await lockCase(tx, row.id);
  const refusal = checkNewCollaborator(parties, await collaboratorEmails(tx, row.id), address);
  if (refusal !== null) throw invalid(REFUSALS[refusal](address, row.number));
  const added = await insertCollaborator(tx, row.id, address, addedBy(actor), now);
  // Their notifications offer a signed one-click unsubscribe link: the key exists from now on.
  await portalKey(tx, now);
  await enqueueNotification(tx, { caseId: row.id, commentId: await lastPublicCommentId(tx, row.id), kind: 'history', recipients: [address] }, config.domain, now);
  return added;
}

/**
 * Removes a collaborator and retires the reply address issued to them (mail to it is then refused
 * at RCPT, and a reply through their earlier notifications is refused); returns the removed row's id.
 */
export async function removeCollaborator(tx: Tx, row: CaseRow, email: string, actor: CollaboratorActor, now = Date.now()): Promise<number> {
  await requireAllowed(tx, actor, await partiesOf(tx, row), email);
  const id = await deleteCollaborator(tx, row.id, email);
  if (id === undefined) throw notFound(`${email} is not a collaborator of case ${row.number}; see "casegate collaborator list ${row.number}"`);
  await retireReplyAddresses(tx, row.id, 'collaborator', normalizeEmail(email), now);
  return id;
}
