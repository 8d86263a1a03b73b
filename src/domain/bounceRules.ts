// Is mail to one of our bounce (VERP) addresses a permanent failure, a delay, or no bounce at all
// (SPEC §4 *Bounces*)? Read from the per-recipient fields of a delivery status notification when
// it has them, else from its words with the table of patterns in bouncePatterns.ts. Only the
// server's words count: the subject and the copy of our own notification that a report quotes are
// left out, so that a case about a delayed delivery never reads as a delay notice. Delay wording
// outranks failure wording; a report that names no address marks the row its bounce address names
// only when its words are unambiguously permanent. Pure.
import { REPLY_MARKER } from './mailNames.js';
import {
  BOUNCE_PATTERNS,
  NOT_RECIPIENT,
  OUR_SUBJECT,
  PERMANENT_CAUSE,
  RETURNED_COPY,
  SENDER_BEFORE,
  SENDER_LINE,
  type BounceKind,
} from './bouncePatterns.js';

export { BOUNCE_PATTERNS, type BounceKind } from './bouncePatterns.js';

/** One recipient block of a message/delivery-status part (see src/ingest/dsn.ts). */
export interface StatusFields {
  recipient: string;
  action: string;
  status: string;
  diagnostic: string | null;
}

export interface BounceInput {
  subject: string;
  /** The human-readable text of the report (the whole body of a plain-text bounce). */
  text: string;
  /** Recipient blocks of its delivery-status parts; [] when there are none. */
  recipients: readonly StatusFields[];
}

export interface BounceVerdict {
  kind: BounceKind;
  /** The failed address the report names, or null when it names none. */
  recipient: string | null;
  /** Enhanced status (`5.1.1`), else the SMTP code (`550`), else ''. */
  status: string;
  /** The remote server's answer, or the line of the text that says what failed. */
  diagnostic: string | null;
  /** Which rule decided, e.g. "Action: failed" or "Exim: permanent error". */
  rule: string;
}

/** How much of the text the patterns read: a bounce says what it is near the top. */
export const BOUNCE_TEXT_MAX = 16 * 1024;
/** How much of the subject the patterns read: the longest line RFC 5322 allows. */
export const BOUNCE_SUBJECT_MAX = 998;

/** The status of a recipient block or a line: enhanced code, else the SMTP code; '' when none. */
export function statusOf(...texts: ReadonlyArray<string | null | undefined>): string {
  for (const t of texts) {
    const enhanced = /(?<![\d.])([245]\.\d{1,3}\.\d{1,3})(?![.\d])/.exec(t ?? '')?.[1];
    if (enhanced) return enhanced;
  }
  for (const t of texts) {
    const basic = /(?<![\d.])([245][0-5]\d)(?![.\d])/.exec(t ?? '')?.[1];
    if (basic) return basic;
  }
  return '';
}

/** Decides what the report is. */
export function classifyBounce(input: BounceInput): BounceVerdict {
  const text = serverWords(input.text.slice(0, BOUNCE_TEXT_MAX));
  const byFields = fromStatusFields(input.recipients, () => failedAddress(text));
  if (byFields !== null) return byFields;
  const words = `${subjectWords(input.subject.slice(0, BOUNCE_SUBJECT_MAX))}\n${text}`;
  for (const p of BOUNCE_PATTERNS) {
    const m = p.pattern.exec(words);
    if (m === null) continue;
    if (p.kind === 'none') return none(p.rule);
    const diagnostic = diagnosticLine(words) ?? lineAt(words, m.index);
    const status = statusOf(diagnostic, text);
    const recipient = failedAddress(text);
    if (p.kind === 'permanent' && recipient === null && !status.startsWith('5') && !PERMANENT_CAUSE.test(words)) {
      return none(`${p.rule}, but it names no address and no permanent cause: nothing marked`);
    }
    return { kind: p.kind, recipient, status, diagnostic, rule: p.rule };
  }
  return none('no bounce pattern matched');
}

/** The subject up to our `[Case …]` tag: what follows it is the subject of our own message. */
function subjectWords(subject: string): string {
  const ours = subject.search(/\[Case[ \t]+\d{8}\]/i);
  return ours < 0 ? subject : subject.slice(0, ours);
}

/**
 * The text up to where the copy of our message starts (a separator line, or our reply marker), with
 * the subject of our message taken out of the lines that quote it.
 */
function serverWords(text: string): string {
  let end = text.length;
  const copy = RETURNED_COPY.exec(text);
  if (copy !== null) end = copy.index;
  const marker = text.indexOf(REPLY_MARKER);
  if (marker >= 0 && marker < end) end = marker;
  return text.slice(0, end).replace(OUR_SUBJECT, '');
}

/**
 * The recipient blocks decide when they say anything: any `Action: failed` (also "failed (…)" and
 * "failure") is permanent whatever its status, even 4.x.x; else `delayed` is a delay; else
 * `delivered`/`relayed`/`expanded` are no bounce. A block without an action goes by its status class.
 * A block that names no recipient takes the address the text names (`named`), if any.
 */
function fromStatusFields(recipients: readonly StatusFields[], named: () => string | null): BounceVerdict | null {
  const action = (r: StatusFields): string => r.action.toLowerCase();
  const verdict = (kind: BounceKind, r: StatusFields, rule: string): BounceVerdict => ({
    kind,
    recipient: r.recipient || named(),
    status: r.status || statusOf(r.diagnostic),
    diagnostic: r.diagnostic,
    rule,
  });
  const failed = recipients.find((r) => /^fail/.test(action(r)));
  if (failed) return verdict('permanent', failed, `Action: ${failed.action}`);
  const delayed = recipients.find((r) => /^delay/.test(action(r)));
  if (delayed) return verdict('delay', delayed, `Action: ${delayed.action}`);
  const noAction = recipients.filter((r) => action(r) === '');
  const hard = noAction.find((r) => (r.status || statusOf(r.diagnostic)).startsWith('5'));
  if (hard) return verdict('permanent', hard, 'Status: 5.x.x without an action');
  const soft = noAction.find((r) => (r.status || statusOf(r.diagnostic)).startsWith('4'));
  if (soft) return verdict('delay', soft, 'Status: 4.x.x without an action');
  const fine = recipients.find((r) => /^(delivered|relayed|expanded)/.test(action(r)));
  return fine ? none(`Action: ${fine.action}`) : null;
}

function none(rule: string): BounceVerdict {
  return { kind: 'none', recipient: null, status: '', diagnostic: null, rule };
}

/** The first line that reads like a remote server's answer (`550 5.1.1 …`, `Diagnostic-Code: …`), trimmed. */
function diagnosticLine(text: string): string | null {
  const m = /^.*(?<![\d.])([45][0-5]\d[ -](#?[45]\.\d{1,3}\.\d{1,3}\b)?|[45]\.\d{1,3}\.\d{1,3}\b(?![.\d])).*$/m.exec(text);
  return m ? m[0].trim().slice(0, 500) : null;
}

function lineAt(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end < 0 ? undefined : end).trim().slice(0, 500);
}

/** An address starts where a run of its characters starts: a long run without `@` is read once. */
const ADDRESS = /(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+/g;

/**
 * The first address in the text that is not the reporting system's or ours, nor on a line that
 * names a sender or a message (`From:`, `Message-id:`), nor right after "from" ("not accepting mail
 * from x@y"). The start of the current line is carried along, never looked for again.
 */
function failedAddress(text: string): string | null {
  let lineStart = 0;
  let nextBreak = text.indexOf('\n');
  for (const m of text.matchAll(ADDRESS)) {
    while (nextBreak >= 0 && nextBreak < m.index) {
      lineStart = nextBreak + 1;
      nextBreak = text.indexOf('\n', lineStart);
    }
    if (NOT_RECIPIENT.test(m[0])) continue;
    if (SENDER_LINE.test(text.slice(lineStart, Math.min(m.index, lineStart + 40)))) continue;
    if (SENDER_BEFORE.test(text.slice(Math.max(lineStart, m.index - 20), m.index))) continue;
    return m[0].replace(/\.$/, '');
  }
  return null;
}
