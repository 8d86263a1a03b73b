// Is mail to one of our bounce (VERP) addresses a permanent failure, a delay, or no bounce at all
// (SPEC §4 *Bounces*)? Read from the per-recipient fields of a delivery status notification when
// it has them, else from its text with a table of patterns (ZoneMTA's bounces.txt is the model):
// the wording of Postfix, Exim, Sendmail, qmail, Exchange/Office 365, Gmail, Yahoo, Lotus Domino,
// GroupWise, SMTP32 and the "simple match" of an address and a 5xx line. Pure.

export type BounceKind = 'permanent' | 'delay' | 'none';

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

/**
 * Patterns over the subject and text, in order; the first match decides. Delay notices come first:
 * they too say the message "could not be delivered", but add that the server keeps trying. Each runs
 * in time linear in the text it reads (test/domain/worstCase.test.ts).
 */
export const BOUNCE_PATTERNS: ReadonlyArray<{ readonly rule: string; readonly kind: BounceKind; readonly pattern: RegExp }> = [
  // Delays: never mark an address.
  { rule: 'delay notice (subject)', kind: 'delay', pattern: /^(Delivery Status Notification \(Delay\)|Delayed Mail \(still being retried\)|Warning: message .* delayed|Warning: could not send message for past|Delivery delayed:|Message delayed|Mail delivery delayed|Delivery Notification: Delivery has been delayed)/im },
  { rule: 'Postfix/Sendmail: warning only', kind: 'delay', pattern: /THIS IS A WARNING (ONLY|MESSAGE ONLY)/i },
  { rule: 'will keep trying', kind: 'delay', pattern: /\b(will (continue to|keep) (try|trying|retry)|will retry (for|until)|will be retried|still trying to deliver|(has|have) not yet been delivered|is delayed to these recipients|Delivery is delayed|delivery has been delayed|delivery incomplete)\b/i },
  { rule: 'Action: delayed', kind: 'delay', pattern: /^Action:\s*delayed/im },
  // Not a bounce: read receipts and successful delivery notices.
  { rule: 'delivery or read receipt', kind: 'none', pattern: /^(Read: |Delivered: |Relayed: |Delivery Status Notification \(Success\)|Successful Mail Delivery Report|Return Receipt)/im },
  // Permanent failures: the introductions of each MTA's bounce.
  { rule: 'qmail: permanent error', kind: 'permanent', pattern: /This is the qmail-send program|I'm afraid I wasn't able to deliver your message|This is a permanent error; I've given up/i },
  { rule: 'Exim: could not be delivered', kind: 'permanent', pattern: /A message that you sent could not be delivered to one or more of\s+its recipients|This is a permanent error\. The following address\(es\) failed|Mail delivery failed: returning message to sender/i },
  { rule: 'Sendmail: permanent fatal errors', kind: 'permanent', pattern: /The following addresses had permanent fatal errors|Returned mail: see transcript for details|Returned mail: User unknown|Returned mail: Service unavailable/i },
  { rule: 'Postfix: could not be delivered', kind: 'permanent', pattern: /I'm sorry to have to inform you that your message could not\s+be delivered|Undelivered Mail Returned to Sender/i },
  { rule: 'Exchange: delivery has failed', kind: 'permanent', pattern: /Delivery has failed to these recipients or groups|Your message (couldn't|could not) be delivered|^Undeliverable: |did not reach the following recipient\(s\)|Your message did not reach some or all of the intended recipients/im },
  { rule: 'Gmail: address not found', kind: 'permanent', pattern: /Address not found|Your message wasn't delivered to|Delivery Status Notification \(Failure\)|Message (was )?not delivered|The email account that you tried to reach does not exist|Message blocked/i },
  { rule: 'Yahoo: unable to deliver', kind: 'permanent', pattern: /Sorry, we were unable to deliver your message to the following address|This message was not delivered to/i },
  { rule: 'Lotus Domino: not delivered', kind: 'permanent', pattern: /^DELIVERY FAILURE:|was not delivered to:[\s\S]{0,400}because:|not listed in (the )?(public )?Domino Directory/im },
  { rule: 'GroupWise: undeliverable', kind: 'permanent', pattern: /The message that you sent was undeliverable to the following|Message status - undeliverable|The following recipients did not receive/i },
  { rule: 'SMTP32: undeliverable', kind: 'permanent', pattern: /^Undeliverable Mail\b|^Unknown user: |^RCPT To:<[^>]+> \d{3}/im },
  { rule: 'failure notice', kind: 'permanent', pattern: /^(failure notice|Mail System Error - Returned Mail|Non[- ]?delivery (report|notification)|Delivery Status Notification \(Failure\)|Undeliverable mail|Mail Delivery Failure|Delivery failure|Returned mail)\b/im },
  // Simple match: a permanent SMTP answer about a mailbox, with no introduction: a 5xx code with an
  // enhanced status, or with words about a mailbox and why it failed later on its line. The second
  // reads each line once: from its first 5xx code, the first word about a mailbox (what follows a
  // later one also follows the first), then the first word of failure after it.
  { rule: 'simple match: 5xx answer', kind: 'permanent', pattern: /(^|[\s:(])5[0-5]\d[ -]#?5\.\d{1,3}\.\d{1,3}\b/im },
  {
    rule: 'simple match: 5xx answer',
    kind: 'permanent',
    pattern:
      /^(?=(?<code>.*?(?:^|[\s:(])5[0-5]\d[ -]))\k<code>(?=(?<what>.*?\b(?:user|mailbox|recipient|address|account)\b))\k<what>.*?\b(?:unknown|not found|does not exist|doesn't exist|disabled|rejected|unavailable|invalid|no such|inactive)\b/im,
  },
];

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
  const byFields = fromStatusFields(input.recipients);
  if (byFields !== null) return byFields;
  const text = `${input.subject.slice(0, BOUNCE_SUBJECT_MAX)}\n${input.text.slice(0, BOUNCE_TEXT_MAX)}`;
  for (const p of BOUNCE_PATTERNS) {
    const m = p.pattern.exec(text);
    if (m === null) continue;
    if (p.kind === 'none') return none(p.rule);
    const diagnostic = diagnosticLine(text) ?? lineAt(text, m.index);
    return { kind: p.kind, recipient: failedAddress(input.text), status: statusOf(diagnostic, input.text.slice(0, BOUNCE_TEXT_MAX)), diagnostic, rule: p.rule };
  }
  return none('no bounce pattern matched');
}

/**
 * The recipient blocks decide when they say anything: any `Action: failed` (also "failed (…)" and
 * "failure") is permanent whatever its status, even 4.x.x; else `delayed` is a delay; else
 * `delivered`/`relayed`/`expanded` are no bounce. A block without an action goes by its status class.
 */
function fromStatusFields(recipients: readonly StatusFields[]): BounceVerdict | null {
  const action = (r: StatusFields): string => r.action.toLowerCase();
  const verdict = (kind: BounceKind, r: StatusFields, rule: string): BounceVerdict => ({
    kind,
    recipient: r.recipient || null,
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

/** Senders and our own addresses a bounce names that are not the failed recipient. */
const NOT_RECIPIENT = /^(mailer-daemon|postmaster|bounce\+|case\+|noreply|no-reply)/i;

/**
 * The first address in the text that is not the reporting system's or ours. An address starts where
 * a run of its characters starts (the lookbehind): otherwise a long run without `@` would be read
 * again from each of its characters.
 */
function failedAddress(text: string): string | null {
  for (const m of text.slice(0, BOUNCE_TEXT_MAX).matchAll(/(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+/g)) {
    if (!NOT_RECIPIENT.test(m[0])) return m[0].replace(/\.$/, '');
  }
  return null;
}
