// The facts the stages decide on: of the message, computed once (the reply text, the duplicate
// fingerprint, the loop key, the auto-reply verdict), and of each recipient, read from the
// database (route, case, participants, duplicates, loop count, contact match).
import { createHash } from 'node:crypto';
import type { ClosedCaseReply, Config, SenderAuthMode } from '../config.js';
import type { Db } from '../db/client.js';
import { caseById, caseByNumber, caseIdByThreadRoot, type CaseRow } from '../db/cases.js';
import { contactById, contactsByEmail, type ContactRow } from '../db/contacts.js';
import { countOpenedVia, countRecentSame, openedInSameDelivery, duplicateInCase, duplicateInCaseWhere, type Earlier } from '../db/inbound.js';
import { countAutoResponsesSince, outboxByToken, type OutboxRow } from '../db/outbox.js';
import { replyAddressById } from '../db/replyAddresses.js';
import { ROUTING_WINDOW_MS } from '../domain/routingRules.js';
import { routingById, type RoutingRow } from '../db/routing.js';
import { userByEmail, userById } from '../db/users.js';
import { participantsOf } from '../cases/participants.js';
import { detectAutoReply } from '../domain/autoReply.js';
import { matchContact } from '../domain/contacts.js';
import { LOOP_WINDOW_MS, loopKeysAt } from '../domain/loop.js';
import { caseNumberInSubject, tokenOfMessageId } from '../domain/mailNames.js';
import { isIssuedSender, isParticipant, knownAddress, type IssuedTo } from '../domain/recipients.js';
import { decideRoute, type Route, type Target } from '../domain/route.js';
import { extractReply, truncateBody } from '../domain/replyText.js';
import { normalizeEmail } from '../domain/address.js';
import type { ParsedMessage } from './parse.js';
import type { Client, SenderAuth } from './auth.js';

export interface Envelope {
  /** Envelope sender; '' for the null return path `<>`, null when not known (pipe mode without --mail-from). */
  mailFrom: string | null;
  rcpt: string[];
  /** The SMTP client (IP address, HELO name) when known: SMTP; pipe mode with --client-ip/--helo. */
  client?: Client;
}

export interface MessageFacts {
  msg: ParsedMessage;
  envelope: Envelope;
  /** New text of the reply, quoted history cut, truncated with a marker past 131,072 characters. */
  body: string;
  /** The whole text. */
  fullBody: string;
  /** Same Message-ID, sender, subject, body and attachments: same fingerprint. */
  fingerprint: string;
  /** Same sender, subject and new text (quoted history cut): same hash (stored per minute, see loopKeysAt). */
  loopKey: string;
  /** Why this is automatic mail (auto-reply, list, loop header…), or null. */
  autoReply: string | null;
  /** Sender authentication (SPF, DKIM, DMARC, ARC); null when CASEGATE_SENDER_AUTH is off. */
  auth: SenderAuth | null;
}

/** 128 bits of SHA-256: unique enough for a key, and half the index of the full hash. */
const sha256 = (parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);

export function messageFacts(msg: ParsedMessage, envelope: Envelope, auth: SenderAuth | null = null): MessageFacts {
  const from = msg.from ? normalizeEmail(msg.from.address) : null;
  const text = msg.text.replace(/\r\n/g, '\n');
  const reply = extractReply(text).body;
  return {
    msg,
    envelope,
    body: truncateBody(reply),
    fullBody: text,
    fingerprint: sha256([msg.messageId, from, msg.subject, text, msg.attachments.map((a) => a.sha256).sort()]),
    // The new text, not the whole: an autoresponder that quotes what it answers differs every time (SPEC §4).
    loopKey: sha256([from, msg.subject, reply]),
    autoReply: detectAutoReply({
      header: (name) => msg.header(name),
      mailFrom: envelope.mailFrom,
      fromAddress: msg.from?.address ?? null,
      subject: msg.subject,
    }),
    auth,
  };
}

/** What the stages need to know about one recipient of the message, read from the database. */
export interface RecipientFacts {
  message: MessageFacts;
  rcpt: string;
  target: Target;
  now: number;
  /** Loop keys of this minute and the one before (see loopKeysAt). */
  loopKeys: [string, string];
  /** Where the message goes; null: nowhere (a bounce address, the system address without a thread of ours). */
  route: Route | null;
  /** The case the route names, when it exists. */
  existing: CaseRow | null;
  /** The contact of `existing` when it is closed (a follow-up case would be opened for it). */
  closedCaseContact: ContactRow | null;
  /** The sender (`From`) is the contact or a collaborator of `existing`. */
  senderIsParticipant: boolean;
  /**
   * The one participant the reply address or the notification of ours that routed the message was
   * issued to; null for the case-level address, a thread root and a subject tag.
   */
  issuedTo: IssuedTo | null;
  /** `issuedTo` is set, the sender is that participant, and they still take part in `existing`. */
  senderIsIssued: boolean;
  /**
   * The sender's address as we know it, whatever the letter case of `From`: the participant's of
   * `existing` (as the contact or collaborator is stored), else, for new mail, the matched contact's;
   * null when the sender is none of them.
   */
  senderAddress: string | null;
  /** An accepted earlier copy of this message. */
  duplicate: Earlier | null;
  /** Earlier messages with the same sender, subject and body in the loop window. */
  recentSame: number;
  /** For a new case: the routing address, and the sender's contact when exactly one matches. */
  routing: RoutingRow | null;
  senderContact: ContactRow | null;
  /** The default case owner's user id; null when none is set or it names no user. */
  defaultOwnerId: number | null;
  closedCaseReply: ClosedCaseReply;
  /** The routing address the message was sent to (its sender rules apply to new mail and replies alike); null for other recipients. */
  routedTo: RoutingRow | null;
  /** New cases the sender opened through `routedTo` in the last hour (its rate limit). */
  openedLastHour: number;
  /** Auto-responses sent to the sender in the last hour. */
  autoResponsesLastHour: number;
  /** CASEGATE_SENDER_AUTH. */
  senderAuth: SenderAuthMode;
}

/** Reads the facts of one recipient. Runs inside the message's transaction, like the stages that read them. */
export function readFacts(db: Db, config: Config, m: MessageFacts, rcpt: string, target: Target, now: number): RecipientFacts {
  const msg = m.msg;
  const loopKeys = loopKeysAt(m.loopKey, now);
  const base = { message: m, rcpt, target, now, loopKeys, closedCaseReply: config.closedCaseReply, senderAuth: config.senderAuth };
  const none = {
    route: null,
    existing: null,
    closedCaseContact: null,
    senderIsParticipant: false,
    issuedTo: null,
    senderIsIssued: false,
    senderAddress: null,
    duplicate: null,
    recentSame: 0,
    routing: null,
    senderContact: null,
    defaultOwnerId: null,
  };
  const noRouting = { routedTo: null, openedLastHour: 0, autoResponsesLastHour: 0 };
  // A delivery report counts only on a bounce address; elsewhere it is mail like any other (from
  // the null sender or a mailer daemon: automatic mail, dropped; from a person: their message).
  if (target.kind === 'bounce' || m.autoReply !== null || msg.authorProblem !== null) return { ...base, ...none, ...noRouting };

  const from = msg.from?.address ?? null;
  let route: Route | null;
  let thread: Thread | null = null;
  if (target.kind === 'routing' || target.kind === 'system') {
    thread = caseOfThread(db, config.domain, msg);
    const threadCaseId = thread !== null && thread.issuedTo !== null ? thread.caseId : null;
    // The thread root is in every notification of the case, to every recipient, old and removed
    // ones too: like the subject tag it counts only for a participant, and only with a DMARC pass
    // (in every mode: `record` only does not refuse, `off` checks nothing, so nothing passes).
    const rootCaseId = thread !== null && thread.issuedTo === null && from !== null && isParticipantOf(db, thread.caseId, from) ? thread.caseId : null;
    const taggedCaseId = target.kind === 'routing' && thread === null && from !== null ? caseOfSubjectTag(db, msg.subject, from) : null;
    route = decideRoute({ target, threadCaseId, rootCaseId, taggedCaseId, senderAuthenticated: m.auth?.dmarc === 'pass' });
  } else {
    route = decideRoute({ target, threadCaseId: null, rootCaseId: null, taggedCaseId: null, senderAuthenticated: false });
  }
  const issuedTo = issuedToOf(route, target, thread);
  const existing = route?.kind === 'existing' ? (caseById(db, route.caseId) ?? null) : null;
  const duplicate = existing
    ? (duplicateInCase(db, existing.id, m.fingerprint) ?? (existing.status === 'Closed' ? duplicateInCaseWhere(db, 'parent_id', existing.id, m.fingerprint) : undefined))
    : msg.messageId === null
      ? // The same message to two routing addresses (aliases) in one transaction opens one case.
        route?.kind === 'new' && from !== null
        ? openedInSameDelivery(db, from, now, m.fingerprint)
        : undefined
      : duplicateInCaseWhere(db, 'thread_root', msg.messageId, m.fingerprint);
  const routedTo = target.kind === 'routing' ? (routingById(db, target.routingId) ?? null) : null;
  const routing = route?.kind === 'new' ? (routedTo?.id === route.routingId ? routedTo : (routingById(db, route.routingId) ?? null)) : null;
  const match = route?.kind === 'new' && from !== null ? matchContact(from, contactsByEmail(db, from)) : null;
  const defaultOwner = route?.kind === 'new' && config.defaultOwner !== null ? userByEmail(db, config.defaultOwner) : undefined;
  // Read only when a stage asks (the stages decide in order: a duplicate needs no participants).
  const parties = once(() => (existing === null ? [] : participantsOf(db, existing).all));
  const participant = once(() => existing !== null && from !== null && isParticipant(from, null, parties()));
  const issuedSender = once(() => {
    if (existing === null || from === null || issuedTo === null) return false;
    const ownerEmail = issuedTo.kind === 'owner' && existing.ownerId !== null ? (userById(db, existing.ownerId)?.email ?? null) : null;
    return isIssuedSender(from, issuedTo, { participants: issuedTo.kind === 'owner' ? [] : parties(), ownerEmail });
  });
  const known = once(() => {
    if (from === null) return null;
    if (existing !== null) return knownAddress(from, parties());
    return match?.kind === 'linked' ? match.contact.email : null;
  });
  const recent = once(() => countRecentSame(db, loopKeys, now - LOOP_WINDOW_MS, msg.messageId));
  const since = now - ROUTING_WINDOW_MS;
  const opened = once(() => (routing !== null && from !== null ? countOpenedVia(db, routing.id, from, since) : 0));
  const autoResponses = once(() => (from !== null ? countAutoResponsesSince(db, normalizeEmail(from), since) : 0));
  const closedContact = once(() =>
    existing?.status === 'Closed' && existing.contactId !== null ? (contactById(db, existing.contactId) ?? null) : null,
  );
  return {
    ...base,
    route,
    existing,
    get closedCaseContact() {
      return closedContact();
    },
    get senderIsParticipant() {
      return participant();
    },
    issuedTo,
    get senderIsIssued() {
      return issuedSender();
    },
    get senderAddress() {
      return known();
    },
    duplicate: duplicate ?? null,
    get recentSame() {
      return recent();
    },
    routing,
    senderContact: match?.kind === 'linked' ? match.contact : null,
    defaultOwnerId: defaultOwner?.id ?? null,
    routedTo,
    get openedLastHour() {
      return opened();
    },
    get autoResponsesLastHour() {
      return autoResponses();
    },
  };
}

/** A value computed on first use, then kept. */
function once<T>(read: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = read();
      done = true;
    }
    return value;
  };
}

/**
 * A case found through a Message-ID of ours, and the one person it was issued to: the recipient of
 * that notification (through their reply address, or the row itself for notifications older than
 * reply addresses); null for the case's thread root, which every recipient of the case has.
 */
interface Thread {
  caseId: number;
  issuedTo: IssuedTo | null;
}

/** Whom the address or Message-ID that routed the message was issued to; null when it was issued to no one person. */
function issuedToOf(route: Route | null, target: Target, thread: Thread | null): IssuedTo | null {
  if (route?.kind !== 'existing') return null;
  if (route.via === 'address') return target.kind === 'case' ? target.issuedTo : null;
  return route.via === 'thread' ? (thread?.issuedTo ?? null) : null;
}

/** The case named by a Message-ID of ours (a notification, or a case's thread root), newest reference first. */
function caseOfThread(db: Db, domain: string, msg: ParsedMessage): Thread | null {
  for (const id of [...msg.inReplyTo, ...[...msg.references].reverse()]) {
    const token = tokenOfMessageId(id, domain);
    const row = token === null ? undefined : outboxByToken(db, token);
    if (row !== undefined) {
      const reply = row.replyAddressId === null ? undefined : replyAddressById(db, row.replyAddressId);
      return { caseId: row.caseId, issuedTo: reply === undefined ? issuedToOfRow(row) : { kind: reply.kind, address: reply.addressLower, live: reply.retiredAt === null } };
    }
    // A case opened by mail has the customer's Message-ID as its thread root: not one of ours.
    const byRoot = id.toLowerCase().endsWith(`@${domain.toLowerCase()}>`) ? caseIdByThreadRoot(db, id) : undefined;
    if (byRoot !== undefined) return { caseId: byRoot, issuedTo: null };
  }
  return null;
}

/** A notification written before reply addresses was still sent to one person: its recipient (still a participant, or the owner). */
function issuedToOfRow(row: OutboxRow): IssuedTo {
  return { kind: row.kind === 'owner' ? 'owner' : 'collaborator', address: row.recipientLower, live: true };
}

/** The sender is the contact or a collaborator of the case. */
function isParticipantOf(db: Db, caseId: number, from: string): boolean {
  const row = caseById(db, caseId);
  return row !== undefined && isParticipant(from, null, participantsOf(db, row).all);
}

/** The case of a `[Case 00001001]` tag, only when the sender is one of its participants. */
function caseOfSubjectTag(db: Db, subject: string, from: string): number | null {
  const number = caseNumberInSubject(subject);
  const row = number === null ? undefined : caseByNumber(db, number);
  if (!row) return null;
  return isParticipant(from, null, participantsOf(db, row).all) ? row.id : null;
}
