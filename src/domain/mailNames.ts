// The names casegate gives to addresses, message ids and headers. Inbound and outbound both read
// them from here, so that what one side writes the other recognises. Pure.
import { customAlphabet } from 'nanoid';

/** Lowercase letters and digits only: relays may lower-case addresses. */
const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const tokenAlphabet = customAlphabet(TOKEN_ALPHABET, 24);
/** The random part of a message token (20 of them for each reply: made at the length used). */
const messageTokenRandom = customAlphabet(TOKEN_ALPHABET, 15);

/** A new unguessable token: 24 characters of [a-z0-9], about 124 bits. */
export function newToken(): string {
  return tokenAlphabet();
}

/**
 * A token for an outbound message: the time in base 36 (9 characters), then 15 random ones (about
 * 77 bits). Tokens made later sort later, so their unique index grows at its end instead of
 * touching a random page for every notification written.
 */
export function newMessageToken(now = Date.now()): string {
  // A reply's 20 notifications are made at one `now`: its base 36 is worked out once.
  if (now !== tokenTime.now) tokenTime = { now, base36: now.toString(36).padStart(9, '0') };
  return tokenTime.base36 + messageTokenRandom();
}
let tokenTime = { now: -1, base36: '' };

/** Header that every message casegate sends carries; mail that has it is never processed. */
export const LOOP_HEADER = 'X-Casegate-Loop';

/** Marker above which a reply's new text stands; the inbound side cuts everything from it down. */
export const REPLY_MARKER = '##- Please type your reply above this line -##';

export function caseAddress(token: string, domain: string): string {
  return `case+${token}@${domain}`;
}

/** The token of a case address of ours, or null. Matching is case-insensitive. */
export function caseTokenOf(address: string, domain: string): string | null {
  const m = /^case\+([a-z0-9]{20,})@(.+)$/.exec(address.trim().toLowerCase());
  return m && m[2] === domain.toLowerCase() ? (m[1] ?? null) : null;
}

/** VERP envelope sender of one outbound message: a bounce to it names the outbox row. */
export function bounceAddress(token: string, domain: string): string {
  return `bounce+${token}@${domain}`;
}

export function bounceTokenOf(address: string, domain: string): string | null {
  const m = /^bounce\+([a-z0-9]{20,})@(.+)$/.exec(address.trim().toLowerCase());
  return m && m[2] === domain.toLowerCase() ? (m[1] ?? null) : null;
}

/** Message-ID of one outbound message, angle brackets included. */
export function outboundMessageId(token: string, domain: string): string {
  return `<${token}@${domain}>`;
}

/** The token of a Message-ID of one of our outbound messages, or null. */
export function tokenOfMessageId(messageId: string, domain: string): string | null {
  const m = /^<?([a-z0-9]{20,})@([^>]+)>?$/.exec(messageId.trim().toLowerCase());
  return m && m[2] === domain.toLowerCase() ? (m[1] ?? null) : null;
}

/** Message-ID naming a case's thread; every notification of the case refers to it. */
export function threadRootId(caseNumber: string, domain: string): string {
  return `<case.${caseNumber}.${newToken().slice(0, 12)}@${domain}>`;
}

/** Case numbers are 8 digits and start at 00001001. */
export function caseNumberOf(id: number): string {
  return String(1000 + id).padStart(8, '0');
}

export function caseSubjectTag(caseNumber: string): string {
  return `[Case ${caseNumber}]`;
}

/** The case number of a `[Case 00001001]` tag in a subject, or null. */
export function caseNumberInSubject(subject: string): string | null {
  const m = /\[Case\s+(\d{8})\]/i.exec(subject);
  return m ? (m[1] ?? null) : null;
}
