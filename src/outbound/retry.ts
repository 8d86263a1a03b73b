// The retry policy of the dispatcher, as data: how long to wait before each retry of a temporary
// failure, and which delivery errors are temporary at all. Pure. `classifyDeliveryError` is the
// one place that tells a permanent failure from a temporary one.

export type Verdict = 'retry' | 'fail';

export interface Classification {
  readonly verdict: Verdict;
  /** What went wrong, for `lastError`: the server's answer when there was one. */
  readonly message: string;
  /** Which rule of the table decided, for logs and tests. */
  readonly rule: string;
}

/**
 * An error that retrying cannot fix (the case or an attachment is gone, the message cannot be
 * built). The dispatcher marks the row failed at once, like bullmq's UnrecoverableError.
 */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

interface AnswerRule {
  readonly pattern: RegExp;
  readonly verdict: Verdict;
  readonly rule: string;
}

/**
 * SMTP answers and transport errors, first match wins. The subject a pattern is tested against is
 * `"<reply code> <server answer> [<error code>]"` when the server answered, else
 * `"<error code> <message> [<error code>]"`.
 */
export const DELIVERY_ANSWERS: readonly AnswerRule[] = Object.freeze([
  // The relay refused our credentials: our configuration is wrong, not the message.
  { pattern: /\[(EAUTH|ENOAUTH|EOAUTH2)\]$/, verdict: 'retry', rule: 'relay authentication failed' },
  // 503 "bad sequence of commands" is the session's fault, not the message's (RFC 5321 4.2.4).
  { pattern: /^503\b/, verdict: 'retry', rule: 'bad command sequence' },
  // Some servers answer a full mailbox with 552 although it is temporary (RFC 5321 4.5.3.1.10).
  { pattern: /^552\b.*\b4\.2\.2\b/, verdict: 'retry', rule: 'mailbox full' },
  { pattern: /^4\d\d\b/, verdict: 'retry', rule: '4xx temporary failure' },
  { pattern: /^5\d\d\b/, verdict: 'fail', rule: '5xx permanent failure' },
  {
    pattern: /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|EPIPE|EAI_AGAIN|ENOTFOUND)\b/,
    verdict: 'retry',
    rule: 'network error',
  },
  { pattern: /\b(ECONNECTION|ESOCKET|EDNS|ETLS|EPROTOCOL|EMAXLIMIT|EABORT)\b/, verdict: 'retry', rule: 'connection error' },
  { pattern: /greeting|socket|connection (closed|lost)|timed? ?out/i, verdict: 'retry', rule: 'connection error' },
  { pattern: /^(EFILEACCESS|EURLACCESS|ENOENT|EOTP|ECONFIG)\b/, verdict: 'fail', rule: 'message cannot be built' },
]);

/** Errors that match no rule are treated as temporary: the retry schedule still bounds them. */
const FALLBACK: Pick<Classification, 'verdict' | 'rule'> = { verdict: 'retry', rule: 'unclassified error' };

interface ErrorShape {
  message?: unknown;
  code?: unknown;
  response?: unknown;
  responseCode?: unknown;
}

/** Decides whether a failed delivery is worth another attempt, and what to record about it. */
export function classifyDeliveryError(err: unknown): Classification {
  if (err instanceof PermanentDeliveryError) {
    return { verdict: 'fail', message: err.message, rule: 'permanent error' };
  }
  const e: ErrorShape = typeof err === 'object' && err !== null ? (err as ErrorShape) : { message: String(err) };
  const response = typeof e.response === 'string' ? e.response.trim() : '';
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);

  let subject: string;
  let recorded: string;
  if (responseCode !== null) {
    const answer = response || message;
    subject = answer.startsWith(String(responseCode)) ? answer : `${responseCode} ${answer}`;
    recorded = subject;
  } else {
    subject = `${code} ${message}`.trim();
    recorded = code ? `${code}: ${message}` : message;
  }
  if (code) subject += ` [${code}]`;
  const hit = DELIVERY_ANSWERS.find((r) => r.pattern.test(subject));
  const { verdict, rule } = hit ?? FALLBACK;
  return { verdict, rule, message: oneLine(recorded) };
}

/**
 * Milliseconds to wait after the `attempts`-th failed attempt (1 = the first try failed), or null
 * when the schedule has run out and the row should be marked failed. A schedule of n delays
 * allows n + 1 attempts in all.
 */
export function nextAttemptDelay(attempts: number, schedule: readonly number[]): number | null {
  if (!Number.isInteger(attempts) || attempts < 1) return null;
  const seconds = schedule[attempts - 1];
  return seconds === undefined ? null : Math.round(seconds * 1000);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 1000 ? `${flat.slice(0, 997)}...` : flat;
}

/**
 * A relay's permanent refusal of the recipient itself (a 5xx answer to RCPT TO, e.g. Postfix's
 * `error:` transport or a remote 550 5.1.1): the address is bad, not this message, so it is marked
 * hard-bouncing like a bounce report would. Null for anything else (a 5xx to DATA is about the
 * message; a 4xx is temporary).
 */
export function refusedRecipient(err: unknown): { status: string; diagnostic: string } | null {
  const e: ErrorShape & { command?: unknown } = typeof err === 'object' && err !== null ? (err as ErrorShape) : {};
  const code = typeof e.responseCode === 'number' ? e.responseCode : null;
  if (e.code !== 'EENVELOPE' || e.command !== 'RCPT TO' || code === null || code < 500 || code > 599) return null;
  const response = typeof e.response === 'string' ? oneLine(e.response) : String(code);
  const status = /\b(5\.\d{1,3}\.\d{1,3})\b/.exec(response)?.[1] ?? '5.0.0';
  return { status, diagnostic: response };
}
