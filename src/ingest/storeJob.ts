// The write transaction's part of ingesting one message, as plain data (StoreJob) and the function
// that runs it: the RCPT check again, the recipient's facts, the stages, apply. Run on the main
// thread (pipe mode, PostgreSQL, IMAP) or on serve's store thread (storeThread.ts), which loads this
// module and not the parser.
import type { Config } from '../config.js';
import type { Tx } from '../db/engine.js';
import { isTaken, notStoredForAny, type Answer } from '../domain/answers.js';
import { apply, logMessage, type Outcome } from './apply.js';
import type { Envelope } from './envelope.js';
import { messageFacts, readFacts, type MessageFacts } from './facts.js';
import type { ParsedMessage } from './parse.js';
import type { SenderAuth } from '../domain/senderAuth.js';
import { checkRcpt } from './rcpt.js';
import { decide } from './stages.js';

/** What a store thread receives: plain data, so that parsing and answering sockets stay on the main thread. */
export type StoreJob =
  /** Deliver the message to every recipient of its envelope (its facts are worked out here, off the main thread). */
  | { kind: 'deliver'; msg: ParsedMessage; envelope: Envelope; auth: SenderAuth | null; perRecipient: boolean; quiet: boolean; at: number | null }
  /** Log a message no recipient takes (unreadable, too large, low disk, not stored). */
  | { kind: 'refuse'; envelope: Envelope; answer: Answer; stage: string };

/** Where a message's job commits; a store thread when serve has one (SQLite), else the committer here. */
export interface JobCommitter {
  runJob(job: StoreJob): Promise<Outcome[]>;
}

/** Runs one message's job inside the write transaction `tx`; the outcomes, one per recipient. */
export async function runStoreJob(tx: Tx, config: Config, job: StoreJob): Promise<Outcome[]> {
  if (job.kind === 'refuse') return refuseAll(tx, job.envelope, null, job.answer, job.stage);
  const facts = messageFacts(job.msg, job.envelope, job.auth);
  const envelope = job.envelope;
  const now = job.at ?? Date.now();
  const opts = { quiet: job.quiet };
  const each = async (t: Tx): Promise<Outcome[]> => {
    const outcomes: Outcome[] = [];
    for (const rcpt of envelope.rcpt) outcomes.push(await deliver(t, config, facts, rcpt, now, opts));
    return outcomes;
  };
  // One recipient, or LMTP's answer per recipient: nothing can be mixed, nothing to undo.
  if (job.perRecipient || envelope.rcpt.length < 2) return each(tx);
  const { result, kept } = await tx.savepoint(each, (outcomes) => !isMixed(outcomes));
  if (kept) return result;
  // Some recipients took the message and another did not: nothing of it is kept, and every
  // recipient that would have taken it gets the refusal too.
  const whole = notStoredForAny(result.map((o) => o.answer).filter((a) => !isTaken(a)));
  const refused: Outcome[] = [];
  for (const o of result) refused.push(await refuse(tx, envelope, facts, o.rcpt, isTaken(o.answer) ? whole : o.answer, o.stage));
  return refused;
}

/** One recipient: the RCPT check (a case may have gone since RCPT), facts, decision, apply. */
async function deliver(tx: Tx, config: Config, facts: MessageFacts, rcpt: string, now: number, opts: { quiet: boolean }): Promise<Outcome> {
  const check = await checkRcpt(tx, config, rcpt);
  if (!check.ok) return refuse(tx, facts.envelope, facts, rcpt, check.answer, 'rcpt');
  const recipient = await readFacts(tx, config, facts, rcpt, check.target, now);
  const { stage, decision } = decide(recipient);
  const applied = await apply(tx, config, recipient, decision, { quiet: opts.quiet });
  // Set after, not spread in: a second spread into a literal is slow in Node 20 (facts.ts, readFacts).
  const outcome: Outcome = { ...applied, stage };
  if (decision.kind === 'report' && decision.verdict.kind !== 'none') outcome.bounce = decision.verdict.kind;
  return outcome;
}

const isMixed = (outcomes: readonly Outcome[]): boolean => outcomes.some((o) => isTaken(o.answer)) && outcomes.some((o) => !isTaken(o.answer));

async function refuseAll(tx: Tx, envelope: Envelope, facts: MessageFacts | null, a: Answer, stage: string): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const rcpt of envelope.rcpt) outcomes.push(await refuse(tx, envelope, facts, rcpt, a, stage));
  return outcomes;
}

async function refuse(tx: Tx, envelope: Envelope, facts: MessageFacts | null, rcpt: string, a: Answer, stage: string): Promise<Outcome> {
  const inboundId = await logMessage(tx, { envelope, fingerprint: null, msg: facts?.msg ?? null, auth: facts?.auth ?? null }, rcpt, 'refused', a, null, null, Date.now());
  return { rcpt, answer: a, decision: 'refused', inboundId, caseNumber: null, stage };
}
