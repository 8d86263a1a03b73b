// The one ingest pipeline shared by SMTP, LMTP and pipe mode: parse → facts → (per recipient, in
// one transaction) RCPT check, stages → decision → apply. Answers come back only after the commit.
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import { tentatively, type Db } from '../db/client.js';
import { answers, isTaken, notStoredForAny, type Answer } from '../domain/answers.js';
import { apply, logMessage, type Outcome } from './apply.js';
import type { Committer } from './commit.js';
import { messageFacts, readFacts, type Envelope, type MessageFacts } from './facts.js';
import { MalformedMessageError, MessageTooLargeError, parseMessage } from './parse.js';
import { checkRcpt } from './rcpt.js';
import { decide } from './stages.js';

export type { Outcome } from './apply.js';

/** What ingesting needs: the database, the settings and the group commit. */
export interface IngestContext {
  readonly db: Db;
  readonly config: Config;
  readonly committer: Committer;
}

export interface IngestOptions {
  /**
   * LMTP: each recipient has its own answer. Otherwise (SMTP, pipe mode) the transaction is the
   * unit of work: when some recipients would take the message and others refuse it, nothing is
   * stored and the refusal is the answer for all, so that no sender is told 250 for a copy we refused.
   */
  perRecipient?: boolean;
}

/**
 * Takes one message for every recipient of the envelope and returns one outcome per recipient,
 * in envelope order. Throws only when nothing could be kept (the caller answers 451 / exits 75);
 * the inbound log then gets a row per recipient if the database still takes one.
 */
export async function ingestMessage(ctx: IngestContext, envelope: Envelope, source: Readable, opts: IngestOptions = {}): Promise<Outcome[]> {
  try {
    return await ingest(ctx, envelope, source, opts);
  } catch (err) {
    const a = answers.notStored((err as Error)?.message ?? String(err));
    await ctx.committer.run(() => refuseAll(ctx.db, envelope, null, a)).catch(() => undefined);
    throw err;
  }
}

async function ingest(ctx: IngestContext, envelope: Envelope, source: Readable, opts: IngestOptions): Promise<Outcome[]> {
  const { db, config } = ctx;
  const tooLarge = answers.tooLarge(config.maxMessageBytes);
  let facts: MessageFacts;
  try {
    facts = messageFacts(await parseMessage(source, { blobDir: db.blobDir, maxBytes: config.maxMessageBytes }), envelope);
  } catch (err) {
    if (!(err instanceof MalformedMessageError) && !(err instanceof MessageTooLargeError)) throw err;
    source.resume();
    const a = err instanceof MessageTooLargeError ? tooLarge : answers.malformed(err.message);
    return ctx.committer.run(() => refuseAll(db, envelope, null, a));
  }

  return ctx.committer.run(() => {
    const now = Date.now();
    const each = (): Outcome[] => envelope.rcpt.map((rcpt) => deliver(ctx, facts, rcpt, now));
    // One recipient, or LMTP's answer per recipient: nothing can be mixed, nothing to undo.
    if (opts.perRecipient === true || envelope.rcpt.length < 2) return each();
    const { result, kept } = tentatively(
      db,
      each,
      (outcomes) => !isMixed(outcomes),
    );
    if (kept) return result;
    // Some recipients took the message and another did not: nothing of it is kept, and every
    // recipient that would have taken it gets the refusal too.
    const whole = notStoredForAny(result.map((o) => o.answer).filter((a) => !isTaken(a)));
    return result.map((o) => refuse(db, envelope, facts, o.rcpt, isTaken(o.answer) ? whole : o.answer));
  });
}

/** One recipient: the RCPT check (a case may have gone since RCPT), facts, decision, apply. */
function deliver(ctx: IngestContext, facts: MessageFacts, rcpt: string, now: number): Outcome {
  const check = checkRcpt(ctx.db, ctx.config, rcpt);
  if (!check.ok) return refuse(ctx.db, facts.envelope, facts, rcpt, check.answer);
  const recipient = readFacts(ctx.db, ctx.config, facts, rcpt, check.target, now);
  return apply(ctx.db, ctx.config, recipient, decide(recipient).decision);
}

const isMixed = (outcomes: readonly Outcome[]): boolean => outcomes.some((o) => isTaken(o.answer)) && outcomes.some((o) => !isTaken(o.answer));

function refuseAll(db: Db, envelope: Envelope, facts: MessageFacts | null, a: Answer): Outcome[] {
  return envelope.rcpt.map((rcpt) => refuse(db, envelope, facts, rcpt, a));
}

function refuse(db: Db, envelope: Envelope, facts: MessageFacts | null, rcpt: string, a: Answer): Outcome {
  const inboundId = logMessage(db, { envelope, fingerprint: null, msg: facts?.msg ?? null }, rcpt, 'refused', a, null, null, Date.now());
  return { rcpt, answer: a, decision: 'refused', inboundId, caseNumber: null };
}
