// What the Help portal's forms do (SPEC §11): a public comment from the signed-in person, and adding
// or removing a collaborator by the rules of SPEC §2 (src/cases/collaborators.ts), each refusal
// said in words a customer understands. Each runs in one write transaction.
import type { CaseRow } from '../../db/cases.js';
import { caseById } from '../../db/cases.js';
import { collaboratorEmails } from '../../db/collaborators.js';
import { contactsByEmail } from '../../db/contacts.js';
import { addComment } from '../../cases/comment.js';
import { addCollaborator, removeCollaborator, type CollaboratorActor } from '../../cases/collaborators.js';
import { reopenCase } from '../../cases/status.js';
import { contactAddress } from '../../cases/participants.js';
import { addressProblem, normalizeEmail } from '../../domain/address.js';
import { checkNewCollaborator, MAX_COLLABORATORS } from '../../domain/collaborators.js';
import { controlCharacterIn } from '../../domain/text.js';
import type { Viewer } from '../../domain/portal.js';
import { CasegateError } from '../../errors.js';
import type { PortalContext } from './context.js';

export type PortalResult =
  | { ok: true; done: 'comment' | 'added' | 'removed'; queued: boolean }
  | { ok: false; status: number; error: { form: 'collaborators' | 'comment'; message: string }; typed: { email?: string; body?: string } };

const COMMENT_LIMIT = 32_000;

const refuse = (form: 'collaborators' | 'comment', status: number, message: string, typed: { email?: string; body?: string }): PortalResult => ({
  ok: false,
  status,
  error: { form, message },
  typed,
});

/** The person as the collaborator rules see them: their contact record in the case's account, if any. */
function actorOf(viewer: Viewer, row: CaseRow): CollaboratorActor {
  const c = viewer.contacts.find((v) => v.accountId === row.accountId) ?? viewer.contacts[0];
  return { kind: 'person', email: viewer.email, contact: c ? { accountId: c.accountId, helpAdmin: c.helpAdmin, active: true } : null };
}

export async function commentFromPortal(ctx: PortalContext, viewer: Viewer, row: CaseRow, text: string): Promise<PortalResult> {
  const body = text.replace(/\r\n?/g, '\n');
  if (body.trim() === '') return refuse('comment', 400, 'Write your comment first.', { body });
  if (body.length > COMMENT_LIMIT) return refuse('comment', 400, `A comment can be at most ${COMMENT_LIMIT} characters; split it in two.`, { body });
  if (controlCharacterIn(body, 'lines') !== null) return refuse('comment', 400, 'The comment holds an invisible control character; type it again without it.', { body });
  if (row.status === 'Closed' && ctx.config.closedCaseReply !== 'reopen') {
    return refuse('comment', 409, 'This case is closed. To follow up, open a new request with the support form or by email.', { body });
  }
  await ctx.db.transaction(async (tx) => {
    let current = (await caseById(tx, row.id)) as CaseRow;
    if (current.status === 'Closed') current = await reopenCase(tx, current, ctx.now());
    const me = (await contactsByEmail(tx, viewer.email)).find((c) => c.accountId === current.accountId);
    const name = me ? `${me.firstName} ${me.lastName}`.trim() || null : null;
    await addComment(
      tx,
      ctx.config,
      current,
      { authorEmail: viewer.email, authorName: name, body, fullBody: body, source: 'web', internal: false, inboundId: null, attachments: [] },
      ctx.now(),
    );
  });
  ctx.log(`help: ${viewer.email} commented on case ${row.number}`);
  return { ok: true, done: 'comment', queued: true };
}

export async function addFromPortal(ctx: PortalContext, viewer: Viewer, row: CaseRow, typed: string): Promise<PortalResult> {
  const email = typed.trim();
  if (email === '') return refuse('collaborators', 400, 'Enter the email address of the person to add.', { email });
  if (email.length > 254 || addressProblem(email) !== null) return refuse('collaborators', 400, 'Enter an email address like name@example.com.', { email });
  try {
    return await ctx.db.transaction(async (tx) => {
      const contact = await contactAddress(tx, row);
      const refusal = checkNewCollaborator({ number: row.number, contactEmail: contact, accountId: row.accountId }, await collaboratorEmails(tx, row.id), email);
      const mine = normalizeEmail(email) === normalizeEmail(viewer.email);
      if (refusal === 'is-contact') {
        return refuse('collaborators', 409, mine ? 'You are the contact of this case: you get every update already, so you cannot also be its collaborator.' : `${email} is the contact of this case and gets every update already; a contact cannot also be a collaborator.`, { email });
      }
      if (refusal === 'already-collaborator') return refuse('collaborators', 409, `${email} is already a collaborator of this case.`, { email });
      if (refusal === 'limit-reached') return refuse('collaborators', 409, `This case already has ${MAX_COLLABORATORS} collaborators, the most a case can have. Remove one first.`, { email });
      await addCollaborator(tx, ctx.config, row, email, actorOf(viewer, row), ctx.now());
      ctx.log(`help: ${viewer.email} added collaborator ${email} to case ${row.number}`);
      return { ok: true, done: 'added', queued: true } as const;
    });
  } catch (err) {
    // A rule checked again under the case's lock (an add at the same time) or by permission.
    if (err instanceof CasegateError) return refuse('collaborators', err.kind === 'forbidden' ? 403 : 409, portalWords(err.message), { email });
    throw err;
  }
}

export async function removeFromPortal(ctx: PortalContext, viewer: Viewer, row: CaseRow, typed: string): Promise<PortalResult> {
  const email = typed.trim();
  try {
    await ctx.db.transaction((tx) => removeCollaborator(tx, row, email, actorOf(viewer, row), ctx.now()));
  } catch (err) {
    if (err instanceof CasegateError && err.kind === 'not-found') return refuse('collaborators', 404, `${email || 'This address'} is not a collaborator of this case.`, {});
    if (err instanceof CasegateError) return refuse('collaborators', err.kind === 'forbidden' ? 403 : 409, portalWords(err.message), {});
    throw err;
  }
  ctx.log(`help: ${viewer.email} removed collaborator ${email} from case ${row.number}`);
  return { ok: true, done: 'removed', queued: false };
}

/** A service's message without its CLI advice (after the first semicolon), as a sentence. */
function portalWords(message: string): string {
  const first = message.split(';')[0] ?? message;
  return `${first.charAt(0).toUpperCase()}${first.slice(1)}.`;
}
