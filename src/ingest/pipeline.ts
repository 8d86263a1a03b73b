// The one ingest pipeline shared by SMTP, LMTP and pipe mode: parse → (per recipient, in one
// transaction) guard, route, authorise, db. Answers come back only after the commit.
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { answer, type Answer } from '../domain/refusal.js';
import { logInbound } from './log.js';
import { checkRecipient } from './recipients.js';
import { deliver, type Outcome } from './deliver.js';
import { messageFacts, type Envelope } from './facts.js';
import { MalformedMessageError, parseMessage, type ParsedMessage } from './parse.js';
import type { Committer } from './commit.js';

export interface Pipeline {
  readonly db: Db;
  readonly config: Config;
  readonly committer: Committer;
}

export interface IngestOptions {
  /** True when the message went over the size limit while it was received. */
  oversize?: () => boolean;
  /**
   * LMTP: each recipient has its own answer. Otherwise (SMTP, pipe mode) the transaction is the
   * unit of work: when some recipients would take the message and others refuse it, nothing is
   * stored and the refusal is the answer for all, so that no sender is told 250 for a copy we refused.
   */
  perRecipient?: boolean;
}

/** Some recipients took the message and others did not: undone, and answered as a whole. */
class MixedOutcome extends Error {
  constructor(readonly outcomes: Outcome[]) {
    super('mixed outcome');
  }
}

/**
 * Takes one message for every recipient of the envelope and returns one outcome per recipient,
 * in envelope order. Throws only when nothing could be kept (the caller answers 451 / exits 75);
 * the inbound log then gets a row per recipient if the database still takes one.
 */
export async function ingestMessage(p: Pipeline, envelope: Envelope, source: Readable, opts: IngestOptions = {}): Promise<Outcome[]> {
  try {
    return await ingest(p, envelope, source, opts);
  } catch (err) {
    const a = answer(451, '4.3.0', `temporary failure, nothing was kept (${(err as Error)?.message ?? String(err)}); try again later`);
    await p.committer.run(() => envelope.rcpt.map((rcpt) => refuseAll(p.db, envelope, rcpt, a, null, 0))).catch(() => undefined);
    throw err;
  }
}

async function ingest(p: Pipeline, envelope: Envelope, source: Readable, opts: IngestOptions): Promise<Outcome[]> {
  const { db, config } = p;
  const tooLarge = answer(552, '5.3.4', `message is larger than the limit of ${config.maxMessageBytes} bytes; send a smaller message or share large files by link`);
  let msg: ParsedMessage;
  try {
    msg = await parseMessage(source, { blobDir: db.blobDir });
  } catch (err) {
    if (!(err instanceof MalformedMessageError)) throw err;
    source.resume();
    const a = opts.oversize?.()
      ? tooLarge
      : answer(550, '5.6.0', `malformed message: ${err.message}; send a complete RFC 5322 message with headers and a body`);
    return p.committer.run(() => envelope.rcpt.map((rcpt) => refuseAll(db, envelope, rcpt, a, null, 0)));
  }
  if (opts.oversize?.()) {
    return p.committer.run(() => envelope.rcpt.map((rcpt) => refuseAll(db, envelope, rcpt, tooLarge, msg, msg.size)));
  }
  const facts = messageFacts(msg, envelope);
  try {
    return await p.committer.run(() => {
      const outcomes = envelope.rcpt.map((rcpt) => {
        const check = checkRecipient(db, config, rcpt);
        if (!check.ok) return refuseAll(db, envelope, rcpt, check.answer, msg, msg.size);
        return deliver(db, config, facts, rcpt, check.target, Date.now());
      });
      const taken = outcomes.some((o) => o.answer.code < 300);
      if (!opts.perRecipient && taken && outcomes.some((o) => o.answer.code >= 400)) throw new MixedOutcome(outcomes);
      return outcomes;
    });
  } catch (err) {
    if (!(err instanceof MixedOutcome)) throw err;
    const whole = answerForAll(err.outcomes);
    return p.committer.run(() =>
      err.outcomes.map((o) => refuseAll(db, envelope, o.rcpt, o.answer.code >= 400 ? o.answer : whole, msg, msg.size)),
    );
  }
}

/** The answer of a whole transaction some of whose recipients refused it: a temporary failure wins. */
function answerForAll(outcomes: readonly Outcome[]): Answer {
  const temp = outcomes.find((o) => o.answer.code >= 400 && o.answer.code < 500);
  const failed = (temp ?? outcomes.find((o) => o.answer.code >= 500)) as Outcome;
  return answer(
    failed.answer.code,
    failed.answer.enhanced,
    `${failed.answer.text}; so the message was not stored for any of its recipients${temp ? ', try again later' : ', send it again without that recipient'}`,
  );
}

function refuseAll(
  db: Db,
  envelope: Envelope,
  rcpt: string,
  a: Answer,
  msg: { messageId: string | null; from: { address: string } | null; subject: string; headerSection: string } | null,
  size: number,
): Outcome {
  const inboundId = logInbound(
    db,
    {
      messageId: msg?.messageId ?? null,
      mailFrom: envelope.mailFrom,
      fromAddr: msg?.from?.address ?? null,
      rcpt,
      subject: msg?.subject ?? null,
      decision: 'refused',
      answer: a,
      caseId: null,
      fingerprint: null,
      loopKey: null,
      size,
      headers: msg?.headerSection ?? null,
    },
    Date.now(),
  );
  return { rcpt, answer: a, decision: 'refused', inboundId, caseNumber: null };
}

/**
 * One SMTP answer for a whole transaction (all outcomes agree, see MixedOutcome): 250 naming what
 * was done for each recipient, else the first temporary failure, else the first refusal.
 */
export function overallAnswer(outcomes: readonly Outcome[]): Answer {
  const ok = outcomes.filter((o) => o.answer.code < 300);
  if (ok.length === 1) return (ok[0] as Outcome).answer;
  if (ok.length > 1) return answer(250, '2.6.0', ok.map((o) => o.answer.text).join('; '));
  const temp = outcomes.find((o) => o.answer.code < 500);
  return (temp ?? outcomes[0])?.answer ?? answer(554, '5.5.1', 'no valid recipients');
}
