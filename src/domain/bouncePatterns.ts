// The tables bounceRules.ts reads a report with (ZoneMTA's bounces.txt is the model): the wording of
// delay notices, of the permanent failures of each MTA and provider (Postfix, Exim, Sendmail, qmail,
// Smail, Exchange/Office 365, Gmail, Yahoo old and new, AOL, Lotus Domino, GroupWise, SMTP32,
// Sun/Oracle Messaging Server, usa.net, and French, German and Chinese providers), of receipts, the
// line where the copy of our own message starts, and the words that make a failure unambiguously
// permanent. Data only; a test reads them.
//
// Every pattern here meets text from outside, so each runs in time linear in the text it reads
// (test/domain/worstCase.test.ts): no two unbounded parts compete for the same characters.

export type BounceKind = 'permanent' | 'delay' | 'none';

export interface BouncePattern {
  readonly rule: string;
  readonly kind: BounceKind;
  readonly pattern: RegExp;
}

/**
 * Patterns over the subject and the text, in order; the first match decides. Delay notices come
 * first: they too say the message "could not be delivered" (often before they say that delivery will
 * go on), and a delay must never mark an address.
 */
export const BOUNCE_PATTERNS: readonly BouncePattern[] = [
  // Delays: never mark an address.
  { rule: 'delay notice (subject)', kind: 'delay', pattern: /^(Delivery Status Notification \(Delay\)|Delayed Mail \(still being retried\)|Warning: message .* delayed|Warning: could not send message for past|Delivery delayed:|Message delayed|Mail delivery delayed|Delivery Notification: Delivery has been delayed)/im },
  { rule: 'Postfix/Sendmail: warning only', kind: 'delay', pattern: /THIS IS A WARNING (ONLY|MESSAGE ONLY)/i },
  {
    rule: 'will keep trying',
    kind: 'delay',
    pattern:
      /\b(will (continue to|keep) (try|trying|retry)|will retry|will be retried|delivery attempts will continue|attempts will continue to be made|still trying|(has|have) not yet been delivered|is delayed to these recipients|Delivery is delayed|delivery has been delayed|delivery incomplete|is (being )?delayed)\b/i,
  },
  // The same in German, French, Spanish and Chinese (no \b: it knows only ASCII letters).
  {
    rule: 'will keep trying (other languages)',
    kind: 'delay',
    pattern:
      /wird weiterhin versuch|weiterhin versucht|wird erneut versucht|ist verzögert|Zustellung verzögert|noch nicht zugestellt|réessaiera|continuera (à|d')essayer|nouvelle tentative sera|(remise|distribution) (a été |est )?retardée|pas encore pu être (remis|délivré)|seguirá intentando|volverá a intentar|继续尝试|延迟投递|延迟发送|将再次尝试|将会重试/iu,
  },
  { rule: 'Action: delayed', kind: 'delay', pattern: /^Action:\s*delayed/im },
  // Not a bounce: read receipts and successful delivery notices.
  { rule: 'delivery or read receipt', kind: 'none', pattern: /^(Read: |Delivered: |Relayed: |Delivery Status Notification \(Success\)|Successful Mail Delivery Report|Return Receipt)/im },
  // Permanent failures: the introductions of each MTA's bounce.
  { rule: 'qmail: permanent error', kind: 'permanent', pattern: /This is the qmail-send program|I'm afraid I wasn't able to deliver your message|This is a permanent error; I've given up|I'm not going to try again/i },
  { rule: 'Exim: could not be delivered', kind: 'permanent', pattern: /A message that you sent could not be delivered to one or more of\s+its recipients|This is a permanent error\. The following address\(es\) failed|Mail delivery failed: returning message to sender/i },
  { rule: 'Sendmail: permanent fatal errors', kind: 'permanent', pattern: /The following addresses had permanent fatal errors|Returned mail: see transcript for details|Returned mail: User unknown|Returned mail: Service unavailable/i },
  { rule: 'Postfix: could not be delivered', kind: 'permanent', pattern: /I'm sorry to have to inform you that your message could not\s+be delivered|Undelivered Mail Returned to Sender/i },
  { rule: 'Exchange: delivery has failed', kind: 'permanent', pattern: /Delivery has failed to these recipients or groups|Your message (couldn't|could not) be delivered|^Undeliverable: |did not reach the following recipient\(s\)|Your message did not reach some or all of the intended recipients/im },
  { rule: 'Gmail: address not found', kind: 'permanent', pattern: /Address not found|Your message wasn't delivered to|Delivery Status Notification \(Failure\)|Message (was )?not delivered|The email account that you tried to reach does not exist|Message blocked/i },
  { rule: 'Yahoo: unable to deliver', kind: 'permanent', pattern: /Sorry, we were unable to deliver your message to the following address|This message was not delivered to|Unable to deliver message to the following address/i },
  { rule: 'AOL: not accepting mail', kind: 'permanent', pattern: /could not be delivered because they are not accepting mail from/i },
  { rule: 'Lotus Domino: not delivered', kind: 'permanent', pattern: /^DELIVERY FAILURE:|was not delivered to:[\s\S]{0,400}because:|not listed in (the )?(public )?Domino Directory/im },
  { rule: 'GroupWise: undeliverable', kind: 'permanent', pattern: /The message that you sent was undeliverable to the following|Message status - undeliverable|The following recipients did not receive/i },
  { rule: 'SMTP32: undeliverable', kind: 'permanent', pattern: /^Undeliverable Mail\b|^Unknown user: |^RCPT To:<[^>]+> \d{3}/im },
  { rule: 'Smail: failed addresses follow', kind: 'permanent', pattern: /^\|?-+ ?Failed addresses follow:/im },
  { rule: 'Sun Messaging Server: cannot be delivered', kind: 'permanent', pattern: /Your message cannot be delivered to the following recipients|^Delivery Notification: Delivery has failed/im },
  { rule: 'usa.net: intended recipient', kind: 'permanent', pattern: /^[ \t]*Intended recipient:[ \t]*\S/im },
  {
    rule: 'failure notice',
    kind: 'permanent',
    pattern:
      /^-*[ \t]*(failure notice|failure delivery|Mail System Error - Returned Mail|Non[- ]?delivery (report|notification)|Delivery Status Notification \(Failure\)|Undeliverable mail|Mail Delivery Failure|Delivery failure|Returned mail)\b/im,
  },
  // Failures in other languages: French, German, Spanish, Chinese (GB2312/GBK providers).
  {
    rule: 'failure notice (other languages)',
    kind: 'permanent',
    pattern:
      /n'a pas pu être (remis|délivré|distribué)|n'a pas été (remis|délivré|distribué)|Message non remis|konnte nicht zugestellt werden|nicht zustellbar|Unzustellbar|no se pudo entregar|no ha podido ser entregado|系统退信|退信原因|未能(成功)?送达|无法投递|投递失败|发送失败/iu,
  },
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

/**
 * The words that make a failure unambiguously permanent (the recipient does not exist, the server
 * gave up for good), in the languages of the patterns above. A report whose text names no address
 * marks the row its bounce address names only with one of these, or a 5.x.x / 5xx status.
 */
export const PERMANENT_CAUSE =
  /permanent|given up|gave up|giving up|not going to try again|does not exist|doesn't exist|no such (user|mailbox|address|recipient)|(user|recipient|address|mailbox) (unknown|not found)|unknown (user|recipient|address|mailbox)|not accepting mail from|n'existe pas|n'est plus active|existiert nicht|(Empfänger|Benutzer|Adresse|Teilnehmer) unbekannt|no existe|不存在|永久/iu;

/**
 * Where the copy of our own message starts in a plain-text bounce (qmail's "--- Below this line is a
 * copy of the message.", Exim's "------ This is a copy of the message…", Smail's boxes, usa.net's
 * "--------RETURNED MAIL FOLLOWS--------"…). What follows is our words, not the server's: a
 * notification that says "delayed" must not turn a failure into a delay.
 */
export const RETURNED_COPY =
  /^[ \t|*]*-{2,}[ \t]*(This is a copy of (the|your) message|Below (this|the next) line is a copy of the message|Original message|Returned (mail|message)|Message text follows|Message headers? follows|Unsent message follows|Undelivered message)/im;

/** Our own subject tag and what follows it on its line: the subject of our message, quoted by the report. */
export const OUR_SUBJECT = /\[Case[ \t]+\d{8}\][^\n]*/gi;

/** Senders and our own addresses a bounce names that are not the failed recipient. */
export const NOT_RECIPIENT = /^(mailer-daemon|postmaster|bounce\+|case\+|noreply|no-reply)/i;

/** The start of a line that names the sender or a message, never the failed recipient (`From:`, `Message-id:`…). */
export const SENDER_LINE =
  /^[ \t>*]*(From|Return-Path|Sender|Reply-To|Message-ID|In-Reply-To|References|Sender Address|Envelope-From|发件人|寄件人)[ \t]*[:：]/iu;

/** What stands right before a sender's address: "… not accepting mail from x@y", "MAIL FROM:<x@y>". */
export const SENDER_BEFORE = /\bfrom[ \t]*:?[ \t]*[<"(]?$/i;
