// Apply: the one place that writes what a decision says, inside the message's transaction: the
// inbound log row (every decision), then the case, comment, reopening or bounce it names. Returns
// the recipient's outcome.
import type { Config } from '../config.js';
import type { Tx } from '../db/engine.js';
import { caseById, type CaseRow } from '../db/cases.js';
import { contactById, insertContact, type ContactRow } from '../db/contacts.js';
import { insertInbound, setInboundComment } from '../db/inbound.js';
import { userById } from '../db/users.js';
import { addComment, type NewComment } from '../cases/comment.js';
import { enqueueNotification } from '../cases/notify.js';
import { openCase } from '../cases/open.js';
import { recordTypeById } from '../db/recordTypes.js';
import { reopenCase } from '../cases/status.js';
import { recordBounce } from './report.js';
import { answers, formatAnswer, type Answer } from '../domain/answers.js';
import { contactFromSender } from '../domain/contacts.js';
import type { Decision as LogDecision } from '../domain/inbound.js';
import type { Decision } from './stages.js';
import type { MessageFacts, RecipientFacts } from './facts.js';

export interface Outcome {
  rcpt: string;
  answer: Answer;
  decision: LogDecision;
  inboundId: number;
  caseNumber: string | null;
  /** The stage that decided (src/ingest/stages.ts), or where the pipeline stopped before the stages: rcpt, parse, disk, store. */
  stage: string;
  /** A report on a bounce address read as a permanent failure or a delay (for the metrics); absent otherwise. */
  bounce?: 'permanent' | 'delay';
}

/** What apply writes for a recipient; the pipeline adds the stage. */
export type Applied = Omit<Outcome, 'stage' | 'bounce'>;

/** Import of historic mail (casegate import): no notification and no auto-response is queued. */
export interface ApplyOptions {
  quiet?: boolean;
}

/** Writes a decision; returns the recipient's outcome. */
export async function apply(tx: Tx, config: Config, f: RecipientFacts, d: Decision, opts: ApplyOptions = {}): Promise<Applied> {
  switch (d.kind) {
    case 'ignore':
      return await logged(tx, f, 'ignored', d.answer, null);
    case 'duplicate':
      return await logged(tx, f, 'duplicate', d.answer, await caseOf(tx, f, d.caseId));
    case 'refuse':
      return await logged(tx, f, 'refused', d.answer, await caseOf(tx, f, d.caseId));
    case 'report':
      return await logged(tx, f, 'ignored', await reportAnswer(tx, f, d), null);
    case 'open': {
      const parent = await caseOf(tx, f, d.parentId);
      const autoResponse = d.autoResponse === true && f.routing !== null && opts.quiet !== true;
      const row = await openFromMail(tx, config, f, parent, autoResponse, opts.quiet === true);
      if (autoResponse) {
        // The auto-response is the acknowledgement (as Salesforce's auto-response rule): it replaces
        // the "case created" email, whose only recipient at this point is the sender.
        const from = (f.message.msg.from as { address: string }).address;
        await enqueueNotification(tx, { caseId: row.id, commentId: null, kind: 'auto-response', recipients: [from] }, config.domain, f.now);
      }
      // A case opened beside a tagged one (routing address) is answered as any new case: the answer names no other case.
      const answer = parent === null || d.routingId !== null ? answers.openedCase(row.number) : answers.openedFollowUp(parent.number, row.number);
      return await withComment(tx, config, f, row, answer, opts, d.routingId);
    }
    case 'comment': {
      let row = f.existing?.id === d.caseId ? f.existing : (await caseById(tx, d.caseId) as CaseRow);
      if (d.reopen) row = await reopenCase(tx, row, f.now);
      return await withComment(tx, config, f, row, d.reopen ? answers.addedAndReopened(row.number) : answers.addedToCase(row.number), opts);
    }
  }
}

/**
 * A permanent failure marks the row the bounce address names `bounced` and its address
 * hard-bouncing; a delay and anything that is no bounce change nothing. The answer (the log reason)
 * says which, and names nobody: the sender learns no address and no case.
 */
async function reportAnswer(tx: Tx, f: RecipientFacts, d: Extract<Decision, { kind: 'report' }>): Promise<Answer> {
  const v = d.verdict;
  if (v.kind === 'none') return answers.notABounce(v.rule);
  if (v.kind === 'delay') return answers.delayNothingMarked(v.status);
  const report = { token: d.token, recipient: v.recipient ?? undefined, status: v.status, diagnostic: v.diagnostic, permanent: true };
  const row = await recordBounce(tx, report, f.now);
  return row === null ? answers.reportMatchedNothing() : answers.permanentFailure(v.status);
}

/** The case a decision names: the one the facts already hold, else read. */
async function caseOf(tx: Tx, f: RecipientFacts, id: number | null): Promise<CaseRow | null> {
  if (id === null) return null;
  return f.existing?.id === id ? f.existing : (await caseById(tx, id) ?? null);
}

/**
 * Opens a case from mail: with the routing address's defaults, or as the follow-up child of a
 * closed case for its contact. A sender without a contact stays the case's supplied email, or gets
 * a contact when the routing address says *create contacts*. A default owner that names no user
 * leaves the case unowned (`case list --unowned`); it never refuses mail.
 */
async function openFromMail(tx: Tx, config: Config, f: RecipientFacts, parent: CaseRow | null, autoResponse: boolean, quiet: boolean): Promise<CaseRow> {
  const from = f.message.msg.from as { address: string; name: string };
  const routing = f.routing;
  // A follow-up of a closed case keeps its contact; a case on a routing address (also one beside a
  // tagged case) gets the sender's.
  const followUp = parent !== null && routing === null;
  let contact: ContactRow | null = followUp ? (parent.contactId === null ? null : (await contactById(tx, parent.contactId) ?? null)) : f.senderContact;
  if (!followUp && contact === null && routing?.createContacts) {
    const made = contactFromSender(from);
    contact = await insertContact(
      tx,
      { ...made, accountId: null, username: null, handle: null, externalId: null, division: null, helpAdmin: false, eligible: true, active: true },
      f.now,
    );
  }
  const owner = routing?.ownerId ? await userById(tx, routing.ownerId) : undefined;
  return await openCase(
    tx,
    config,
    {
      subject: f.message.msg.subject.trim() || '(no subject)',
      description: f.message.body,
      contact,
      accountId: null,
      parent,
      asset: null,
      // A routing address's record type has no required field (checked at routing add), so {} fits.
      recordType: routing?.recordTypeId ? (await recordTypeById(tx, routing.recordTypeId) ?? null) : null,
      fields: {},
      priority: (routing?.priority ?? parent?.priority ?? 'Medium') as 'High' | 'Medium' | 'Low',
      origin: routing?.origin ?? 'Email',
      ownerId: owner?.id ?? null,
      assign: true,
      creatorId: null,
      defaultOwnerId: f.defaultOwnerId,
      closed: false,
      notify: autoResponse || quiet ? false : routing ? routing.notify : true,
      supplied: contact ? null : { email: from.address, name: from.name },
      threadRoot: f.message.msg.messageId,
    },
    f.now,
  );
}

/** The log row, then the reply as a comment of the case, linked both ways. */
async function withComment(tx: Tx, config: Config, f: RecipientFacts, row: CaseRow, answer: Answer, opts: ApplyOptions, openedVia: number | null = null): Promise<Applied> {
  const outcome = await logged(tx, f, 'accepted', answer, row, openedVia);
  const msg = f.message.msg;
  // The case owner answering through their own reply address writes as the user (comment add --as);
  // a participant or known contact as their address is stored, not as `From` spells it.
  const owner = f.issuedTo?.kind === 'owner' && row.id === f.existing?.id && row.ownerId !== null ? await userById(tx, row.ownerId) : undefined;
  const comment: NewComment = {
    authorEmail: owner?.email ?? f.senderAddress ?? msg.from?.address ?? f.message.envelope.mailFrom ?? 'unknown',
    authorName: owner?.name ?? (msg.from?.name || null),
    body: f.message.body,
    fullBody: f.message.fullBody,
    source: 'email',
    internal: false,
    inboundId: outcome.inboundId,
    auth: f.message.auth === null ? null : JSON.stringify(f.message.auth),
    attachments: msg.attachments,
  };
  if (opts.quiet === true) comment.notify = false;
  // Read by the facts in this transaction; nothing since adds or removes a participant.
  if (row.id === f.existing?.id && f.parties !== null) comment.participants = f.parties;
  const commentId = await addComment(tx, config, row, comment, f.now);
  await setInboundComment(tx, outcome.inboundId, commentId);
  return outcome;
}

async function logged(tx: Tx, f: RecipientFacts, decision: LogDecision, answer: Answer, row: CaseRow | null, openedVia: number | null = null): Promise<Applied> {
  const keep = { openedVia, saveHeaders: f.routedTo?.saveHeaders === true };
  const inboundId = await logMessage(tx, f.message, f.rcpt, decision, answer, row?.id ?? null, f.loopKeys[0], f.now, keep);
  return { rcpt: f.rcpt, answer, decision, inboundId, caseNumber: row?.number ?? null };
}

/**
 * One inbound log row. The header section is kept for every decision but `accepted`, to explain it
 * later, and for every decision on mail to a routing address with *save headers* on (SPEC §7).
 */
export async function logMessage(
  tx: Tx,
  m: {
    envelope: MessageFacts['envelope'];
    fingerprint: string | null;
    msg: Pick<MessageFacts['msg'], 'messageId' | 'from' | 'subject' | 'headerSection' | 'size'> | null;
    auth?: MessageFacts['auth'];
  },
  rcpt: string,
  decision: LogDecision,
  answer: Answer,
  caseId: number | null,
  loopKey: string | null,
  now: number,
  keep: { openedVia: number | null; saveHeaders: boolean } = { openedVia: null, saveHeaders: false },
): Promise<number> {
  return await insertInbound(
    tx,
    {
      messageId: m.msg?.messageId ?? null,
      mailFrom: m.envelope.mailFrom,
      fromAddr: m.msg?.from?.address ?? null,
      rcpt,
      subject: m.msg?.subject ?? null,
      decision,
      reason: formatAnswer(answer),
      smtpCode: answer.code,
      caseId,
      fingerprint: m.fingerprint,
      loopKey,
      size: m.msg?.size ?? 0,
      headers: decision === 'accepted' && !keep.saveHeaders ? null : (m.msg?.headerSection ?? null),
      openedVia: keep.openedVia,
      auth: m.auth == null ? null : JSON.stringify(m.auth),
    },
    now,
  );
}
