// The decision for one message and one recipient, as an ordered list of named stages over the
// facts (Haraka's plugin order, casegate's own decideRoute). Each stage may return a decision; the
// first one that does decides. Pure: a unit test builds facts and checks the decision.
import { answers, type Answer } from '../domain/answers.js';
import { checkEligibility } from '../domain/caseRules.js';
import { LOOP_LIMIT, LOOP_WINDOW_MS, isLoop } from '../domain/loop.js';
import { classifyBounce, type BounceVerdict } from '../domain/bounceRules.js';
import { autoResponseWanted, checkSender, senderListOf } from '../domain/routingRules.js';
import { failsDmarcPolicy } from '../domain/senderAuth.js';
import type { RecipientFacts } from './facts.js';

/** What to do with the message for this recipient; `apply` writes it. */
export type Decision =
  /** Automatic mail, or nothing to do: answered 250 and dropped. */
  | { kind: 'ignore'; answer: Answer }
  /** A report from the null sender to a bounce address: a permanent failure marks the row the address names; a delay or no bounce is only logged. */
  | { kind: 'report'; token: string; verdict: BounceVerdict }
  | { kind: 'duplicate'; answer: Answer; caseId: number | null }
  | { kind: 'refuse'; answer: Answer; caseId: number | null }
  /**
   * Open a case: from a routing address (with a parent: the case a subject tag named, its sender not
   * authenticated), or as the follow-up child of a closed case (no routing address). `autoResponse`:
   * the routing address's auto-response goes to the sender instead of the "case created" email.
   */
  | { kind: 'open'; routingId: number | null; parentId: number | null; autoResponse?: true }
  /** Add the reply to an existing case, reopening it first when it is closed. */
  | { kind: 'comment'; caseId: number; reopen: boolean };

export interface Stage {
  readonly name: string;
  readonly run: (f: RecipientFacts) => Decision | null;
}

export const STAGES: readonly Stage[] = Object.freeze([
  {
    // SPEC §4 *Bounces*: mail to a bounce (VERP) address is a report on the message that address
    // names, and counts only from the null sender, as MTAs send reports. Anyone else's mail there is
    // never applied; a report-shaped message elsewhere is no report (see readFacts): the VERP
    // address, known only to our message's recipient and the servers on its way, is the proof.
    name: 'report',
    run: (f) => {
      if (f.target.kind !== 'bounce') return null;
      if (f.message.envelope.mailFrom !== '') return { kind: 'ignore', answer: answers.notABounce('not from the null sender') };
      const msg = f.message.msg;
      return {
        kind: 'report',
        token: f.target.token,
        // A plain-text bounce has only its words; a DSN its recipient blocks, and its words when they say nothing.
        verdict: classifyBounce({ subject: msg.subject, text: f.message.fullBody, recipients: msg.dsn?.recipients ?? [] }),
      };
    },
  },
  { name: 'automatic', run: (f) => (f.message.autoReply === null ? null : { kind: 'ignore', answer: answers.automatic(f.message.autoReply) }) },
  {
    // Exactly one From header with exactly one mailbox, on every path (SPEC §4 *One author*).
    name: 'one author',
    run: (f) => {
      const why = f.message.msg.authorProblem;
      return why === null ? null : { kind: 'refuse', answer: answers.notOneAuthor(why), caseId: null };
    },
  },
  {
    // SPEC §4 Sender trust: on every path, in `enforce` mode only (`record` stores, `off` looks nothing up).
    name: 'sender auth',
    run: (f) => (f.senderAuth === 'enforce' && failsDmarcPolicy(f.message.auth) ? { kind: 'refuse', answer: answers.dmarcFailed(), caseId: f.existing?.id ?? null } : null),
  },
  {
    name: 'route',
    run: (f) => {
      if (f.route !== null) return null;
      if (f.target.kind === 'system') return { kind: 'refuse', answer: answers.notAReplyOfOurs(f.rcpt), caseId: null };
      return { kind: 'ignore', answer: answers.nothingToDo() };
    },
  },
  {
    name: 'duplicate',
    run: (f) =>
      f.duplicate === null ? null : { kind: 'duplicate', answer: answers.duplicate(f.duplicate.id), caseId: f.duplicate.caseId ?? f.existing?.id ?? null },
  },
  {
    // SPEC §7: everything sent to the routing address, new mail and replies threaded through it alike
    // (Salesforce's Accept Email From); mail to a case address is not the routing address's.
    name: 'sender rules',
    run: (f) => {
      const r = f.routedTo;
      if (r === null) return null;
      const verdict = checkSender(f.message.msg.from?.address ?? null, { acceptFrom: senderListOf(r.acceptFrom), block: senderListOf(r.block) });
      if (verdict === 'ok') return null;
      return { kind: 'refuse', answer: verdict === 'blocked' ? answers.senderBlocked() : answers.senderNotAccepted(), caseId: null };
    },
  },
  {
    name: 'loop',
    run: (f) => (isLoop(f.recentSame) ? { kind: 'refuse', answer: answers.loop(LOOP_LIMIT, LOOP_WINDOW_MS / 1000), caseId: f.existing?.id ?? null } : null),
  },
  {
    // SPEC §7: new cases per sender per hour through one routing address; over it 451, the relay retries later.
    name: 'rate limit',
    run: (f) => {
      const limit = f.routing?.rateLimit ?? 0;
      if (f.route?.kind !== 'new' || limit === 0 || f.message.msg.from === null) return null;
      return f.openedLastHour >= limit ? { kind: 'refuse', answer: answers.tooManyNewCases(limit), caseId: null } : null;
    },
  },
  {
    name: 'new case',
    run: (f) => {
      if (f.route?.kind !== 'new') return null;
      if (f.message.msg.from === null) return { kind: 'refuse', answer: answers.noSender(), caseId: null };
      if (checkEligibility(f.senderContact) === 'not-eligible') {
        return { kind: 'refuse', answer: answers.notEligible(), caseId: null };
      }
      return { kind: 'open', routingId: f.route.routingId, parentId: f.route.parentId, ...(sendsAutoResponse(f) ? { autoResponse: true as const } : {}) };
    },
  },
  {
    name: 'case exists',
    run: (f) => (f.existing === null ? { kind: 'refuse', answer: answers.caseVanished(), caseId: null } : null),
  },
  {
    // Through a reply address or a Message-ID issued to one participant: that participant only;
    // through the case-level address, a thread root or an older notification: any participant.
    name: 'participant',
    run: (f) => {
      const c = f.existing;
      if (c === null) return null;
      if (f.issuedTo === null ? f.senderIsParticipant : f.senderIsIssued) return null;
      const answer = f.message.msg.from === null ? answers.noSenderForReply() : answers.notParticipant();
      return { kind: 'refuse', answer, caseId: c.id };
    },
  },
  {
    name: 'closed case',
    run: (f) => {
      const c = f.existing;
      if (c === null || c.status !== 'Closed') return null;
      if (f.closedCaseReply === 'refuse') return { kind: 'refuse', answer: answers.caseClosed(c.number), caseId: c.id };
      if (f.closedCaseReply === 'child') {
        if (checkEligibility(f.closedCaseContact) === 'not-eligible') {
          return { kind: 'refuse', answer: answers.notEligible(), caseId: c.id };
        }
        return { kind: 'open', routingId: null, parentId: c.id };
      }
      return { kind: 'comment', caseId: c.id, reopen: true };
    },
  },
  { name: 'comment', run: (f) => (f.existing === null ? null : { kind: 'comment', caseId: f.existing.id, reopen: false }) },
]);

/** The routing address has an auto-response, its condition holds, the mail is not automatic, and none went to the sender this hour. */
function sendsAutoResponse(f: RecipientFacts): boolean {
  const r = f.routing;
  if (r === null || r.autoResponse === null || f.message.autoReply !== null) return false;
  if (!autoResponseWanted(r.autoResponseIf, { subject: f.message.msg.subject, body: f.message.fullBody })) return false;
  return f.autoResponsesLastHour === 0;
}

/** Runs the stages in order; the first decision wins. Returns it with the stage that made it. */
export function decide(f: RecipientFacts, stages: readonly Stage[] = STAGES): { stage: string; decision: Decision } {
  for (const stage of stages) {
    const decision = stage.run(f);
    if (decision !== null) return { stage: stage.name, decision };
  }
  // The last stage always decides for a case; reaching here means the route named none.
  return { stage: 'none', decision: { kind: 'ignore', answer: answers.nothingToDo() } };
}
