// The one ingest pipeline shared by SMTP, LMTP and pipe mode: parse → (per recipient, in one
// transaction) guard, route, authorise, store. Answers come back only after the commit.
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import type { Store } from '../db/client.js';
import { answer, type Answer } from '../domain/refusal.js';
import { logInbound } from './log.js';
import { checkRecipient } from './recipients.js';
import { deliver, type Outcome } from './deliver.js';
import { messageFacts, type Envelope } from './facts.js';
import { MalformedMessageError, parseMessage, type ParsedMessage } from './parse.js';
import type { Committer } from './commit.js';

export interface Pipeline {
  readonly store: Store;
  readonly config: Config;
  readonly committer: Committer;
}

export interface IngestOptions {
  /** True when the message went over the size limit while it was received. */
  oversize?: () => boolean;
}

/**
 * Takes one message for every recipient of the envelope and returns one outcome per recipient,
 * in envelope order. Throws only when nothing could be kept (the caller answers 451 / exits 75).
 */
export async function ingestMessage(p: Pipeline, envelope: Envelope, source: Readable, opts: IngestOptions = {}): Promise<Outcome[]> {
  const { store, config } = p;
  const tooLarge = answer(552, '5.3.4', `message is larger than the limit of ${config.maxMessageBytes} bytes; send a smaller message or share large files by link`);
  let msg: ParsedMessage;
  try {
    msg = await parseMessage(source, { blobDir: store.blobDir });
  } catch (err) {
    if (!(err instanceof MalformedMessageError)) throw err;
    source.resume();
    const a = opts.oversize?.()
      ? tooLarge
      : answer(550, '5.6.0', `malformed message: ${err.message}; send a complete RFC 5322 message with headers and a body`);
    return p.committer.run(() => envelope.rcpt.map((rcpt) => refuseAll(store, envelope, rcpt, a, null, 0)));
  }
  if (opts.oversize?.()) {
    return p.committer.run(() => envelope.rcpt.map((rcpt) => refuseAll(store, envelope, rcpt, tooLarge, msg, msg.size)));
  }
  const facts = messageFacts(msg, envelope);
  return p.committer.run(() =>
    envelope.rcpt.map((rcpt) => {
      const check = checkRecipient(store, config, rcpt);
      if (!check.ok) return refuseAll(store, envelope, rcpt, check.answer, msg, msg.size);
      return deliver(store, config, facts, rcpt, check.target, Date.now());
    }),
  );
}

function refuseAll(
  store: Store,
  envelope: Envelope,
  rcpt: string,
  a: Answer,
  msg: { messageId: string | null; from: { address: string } | null; subject: string; headerSection: string } | null,
  size: number,
): Outcome {
  const inboundId = logInbound(
    store,
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

/** One SMTP answer for a whole transaction: accepted if any recipient was, else the first refusal. */
export function overallAnswer(outcomes: readonly Outcome[]): Answer {
  const ok = outcomes.filter((o) => o.answer.code < 300);
  if (ok.length === 1) return (ok[0] as Outcome).answer;
  if (ok.length > 1) return answer(250, '2.6.0', ok.map((o) => o.answer.text).join('; '));
  const temp = outcomes.find((o) => o.answer.code < 500);
  return (temp ?? outcomes[0])?.answer ?? answer(554, '5.5.1', 'no valid recipients');
}
