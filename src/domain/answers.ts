// Every answer casegate gives to mail, by name: SMTP code, enhanced status, a sentence a person can
// act on, and the sysexits(3) code pipe mode exits with (SPEC §4). The SMTP server, LMTP and pipe
// mode each map these once; nothing else builds an answer. Pure.

/** sysexits(3) codes of pipe mode. */
export const EXIT = Object.freeze({ OK: 0, DATAERR: 65, NOINPUT: 66, NOUSER: 67, TEMPFAIL: 75, NOPERM: 77, CONFIG: 78 });

export interface Answer {
  readonly code: number;
  readonly enhanced: string;
  readonly text: string;
  /** What pipe mode exits with for this answer. */
  readonly sysexit: number;
}

const make =
  (code: number, enhanced: string, sysexit: number) =>
  (text: string): Answer =>
    Object.freeze({ code, enhanced, text, sysexit });

const done = make(250, '2.6.0', EXIT.OK);
const unknownAddress = (enhanced: string, code = 550) => make(code, enhanced, EXIT.NOUSER);
const badData = (code: number, enhanced: string) => make(code, enhanced, EXIT.DATAERR);
const refusedSender = make(550, '5.7.1', EXIT.NOPERM);
const tryLater = (code: number, enhanced: string) => make(code, enhanced, EXIT.TEMPFAIL);

export const answers = Object.freeze({
  // Taken (250): the message is committed, or dropped on purpose.
  addedToCase: (number: string) => done(`added to case ${number}`),
  addedAndReopened: (number: string) => done(`added to case ${number}, which is reopened`),
  openedCase: (number: string) => done(`opened case ${number}`),
  openedFollowUp: (closed: string, child: string) => done(`case ${closed} is closed; opened follow-up case ${child}`),
  duplicate: (inboundId: number) => done(`already stored (inbound ${inboundId}); this copy is not added again`),
  automatic: (why: string) => done(`accepted and dropped: automatic mail is not turned into comments (${why})`),
  nothingToDo: () => done('accepted and dropped: nothing to do'),
  // Mail to a bounce (VERP) address (SPEC §4 *Bounces*): the answers name no address and no case.
  permanentFailure: (status: string) =>
    done(`accepted and dropped: permanent failure ${status || '(no status)'}; the notification it reports on is marked bounced and later mail to its address is held`),
  delayNothingMarked: (status: string) => done(`accepted and dropped: delay${status ? ` ${status}` : ''}, nothing marked; the sending server keeps trying`),
  notABounce: (why: string) => done(`accepted and dropped: not a bounce (${why}); mail to a bounce address is never a comment`),
  reportMatchedNothing: () => done('accepted and dropped: permanent failure, but no outbound message of ours matched it'),
  /** Several recipients took the message: one 250 naming what was done for each. */
  takenByAll: (parts: readonly Answer[]) => done(parts.map((a) => a.text).join('; ')),

  // MAIL: the database is known to be out of reach (and still is).
  cannotTakeMailNow: () => tryLater(451, '4.3.0')('temporary failure, mail cannot be taken now; nothing was kept, try again later'),

  // RCPT.
  badMailbox: (address: string) => unknownAddress('5.1.3', 553)(`<${address}> is not a valid mailbox address`),
  relayDenied: (address: string, domain: string) =>
    unknownAddress('5.7.1')(`relaying denied: <${address}> is not ours; casegate takes mail for ${domain} and its routing addresses only`),
  noSuchMailbox: (address: string) => unknownAddress('5.1.1')(`<${address}>: no such mailbox here; mail to it will not be processed`),
  tooManyRecipients: (max: number) => tryLater(452, '4.5.3')(`too many recipients; at most ${max} per message, send the rest in another transaction`),
  recipientCheckFailed: () => tryLater(451, '4.3.0')('temporary failure checking the recipient; try again later'),
  noValidRecipients: () => make(554, '5.5.1', EXIT.NOPERM)('no valid recipients'),

  // DATA: the message itself.
  tooLarge: (max: number) => badData(552, '5.3.4')(`message is larger than the limit of ${max} bytes; send a smaller message or share large files by link`),
  parserLimit: (why: string) =>
    badData(552, '5.3.4')(`message refused: ${why}; send a message with fewer parts or shorter header lines`),
  malformed: (why: string) => badData(550, '5.6.0')(`malformed message: ${why}; send a complete RFC 5322 message with headers and a body`),

  // DATA: the sender.
  loop: (limit: number, seconds: number) =>
    refusedSender(`refused as a mail loop: more than ${limit} messages with the same sender, subject and body within ${seconds} seconds`),
  noSender: () => make(550, '5.1.7', EXIT.NOPERM)('message has no From address; a case needs a sender to answer to'),
  // Refusals a stranger can trigger name no case and no person (SPEC §4 *Sender trust*).
  noSenderForReply: () => refusedSender('message has no From address, so it cannot be matched to anyone who may reply here'),
  notParticipant: () =>
    refusedSender(
      'this sender may not reply here; answer from the address our notification was sent to, or write to the support address to open a new case',
    ),
  notOneAuthor: (why: string) =>
    refusedSender(`refused: ${why}; a message must have exactly one From header holding exactly one address, its author's`),
  notAReplyOfOurs: (address: string) =>
    refusedSender(
      `<${address}> takes only replies to our case notifications, each from the person it was sent to, and this message is none of them; answer the notification itself, or write to the support address you were given to open a case`,
    ),
  // SPEC §4 Sender trust: names no case and no person (the From address may be forged).
  dmarcFailed: () =>
    refusedSender('message refused: the domain of its From address publishes a DMARC policy of reject or quarantine and this message fails it; send it through a server that signs for that domain'),
  caseClosed: (number: string) => refusedSender(`case ${number} is closed and takes no replies; write to the support address to open a new case`),
  // A routing address's sender rules (SPEC §7): they name no case and no person.
  senderNotAccepted: () =>
    refusedSender('this support address takes mail only from the senders it lists; write from one of them, or ask your support team which address to use'),
  senderBlocked: () => refusedSender('mail from your address is not accepted at this support address'),
  notEligible: () =>
    refusedSender('the contact this mail belongs to is not eligible for support, so no case is opened; ask the support team to make the contact eligible'),

  // Temporary: nothing was kept, the sender's relay tries again.
  /** A routing address's rate limit (SPEC §7, Salesforce's *Requeue*). */
  tooManyNewCases: (limit: number) =>
    tryLater(451, '4.7.1')(`too many new cases from your address at this support address (at most ${limit} an hour); nothing was kept, try again later`),
  caseVanished: () => tryLater(451, '4.3.0')('case vanished while routing; try again'),
  notStored: (why: string) => tryLater(451, '4.3.0')(`temporary failure, nothing was kept (${why}); try again later`),
  lowDisk: () => tryLater(452, '4.3.1')('insufficient system storage; nothing was kept, try again later'),

  // The session: the client is disconnected after these (SPEC §9).
  tooManyFromAddress: (max: number) => tryLater(421, '4.7.0')(`too many connections from your address (at most ${max}); try again later`),
  tooManyUnknownRecipients: (max: number) =>
    tryLater(421, '4.7.0')(`too many unknown recipients in this session (${max}); closing the connection`),
  sessionTooLong: (seconds: number) => tryLater(421, '4.4.2')(`session longer than ${seconds} seconds; closing the connection, try again`),
  dataTooSlow: (bytesPerSecond: number) =>
    tryLater(421, '4.4.2')(`message data arrives slower than ${bytesPerSecond} bytes per second; closing the connection, try again`),
  storeFailed: () => tryLater(451, '4.3.0')('temporary failure storing the message; nothing was kept, try again later'),
});

/**
 * The answer to every recipient of a transaction that some recipients took and another refused
 * (SMTP and pipe mode: nothing is stored then). A temporary failure wins over a refusal.
 */
export function notStoredForAny(failed: readonly Answer[]): Answer {
  const temp = failed.find((a) => isTemporary(a));
  const first = (temp ?? failed[0]) as Answer;
  const hint = temp ? ', try again later' : ', send it again without that recipient';
  return Object.freeze({ ...first, text: `${first.text}; so the message was not stored for any of its recipients${hint}` });
}

export const isTaken = (a: Answer): boolean => a.code < 300;
export const isTemporary = (a: Answer): boolean => a.code >= 400 && a.code < 500;

export function formatAnswer(a: Answer): string {
  return `${a.code} ${a.enhanced} ${a.text}`;
}

/**
 * One SMTP answer for a whole transaction (its outcomes agree): 250 naming what was done for each
 * recipient, else the first temporary failure, else the first refusal.
 */
export function answerForAll(all: readonly Answer[]): Answer {
  const ok = all.filter(isTaken);
  if (ok.length === 1) return ok[0] as Answer;
  if (ok.length > 1) return answers.takenByAll(ok);
  return all.find((a) => a.code < 500) ?? all[0] ?? answers.noValidRecipients();
}

/**
 * Pipe mode with several recipients: any temporary failure → 75 (the relay retries; duplicates are
 * recognised), else any recipient done → 0, else the first refusal's code.
 */
export function exitCodeForAll(all: readonly Answer[]): number {
  if (all.some(isTemporary)) return EXIT.TEMPFAIL;
  if (all.some(isTaken)) return EXIT.OK;
  return all[0]?.sysexit ?? EXIT.OK;
}
