// The facts the stages decide on: of the message, computed once (the reply text, the duplicate
// fingerprint, the loop key, the auto-reply verdict), and of each recipient, read from the
// database (route, case, participants, duplicates, loop count, contact match).
import { hash } from 'node:crypto';
import type { ClosedCaseReply, Config, SenderAuthMode } from '../config.js';
import type { Tx } from '../db/engine.js';
import { caseById, caseByNumber, caseIdByThreadRoot, type CaseRow } from '../db/cases.js';
import { contactById, contactsByEmail, type ContactRow } from '../db/contacts.js';
import { countOpenedVia, countRecentSame, lockFingerprint, lockLimit, openedInSameDelivery, duplicateInCase, duplicateInCaseWhere, type Earlier } from '../db/inbound.js';
import { countAutoResponsesSince, outboxByToken, type OutboxRow } from '../db/outbox.js';
import { replyAddressById } from '../db/replyAddresses.js';
import { ROUTING_WINDOW_MS } from '../domain/routingRules.js';
import { routingById, type RoutingRow } from '../db/routing.js';
import { userByEmail, userById } from '../db/users.js';
import { participantsOf, type Participants } from '../cases/participants.js';
import { detectAutoReply } from '../domain/autoReply.js';
import { matchContact } from '../domain/contacts.js';
import { LOOP_WINDOW_MS, loopKeysAt } from '../domain/loop.js';
import { caseNumberInSubject, tokenOfMessageId } from '../domain/mailNames.js';
import { isIssuedSender, isParticipant, knownAddress, type IssuedTo } from '../domain/recipients.js';
import { decideRoute, type Route, type Target } from '../domain/route.js';
import { extractReply, truncateBody } from '../domain/replyText.js';
import { normalizeEmail } from '../domain/address.js';
import { headerOf } from './headerOf.js';
import type { ParsedMessage } from './parse.js';
import type { SenderAuth } from '../domain/senderAuth.js';
import type { Envelope } from './envelope.js';

export interface MessageFacts {
  /** The parsed message but its text (the facts' `fullBody` is that text; the store thread is sent no second copy). */
  msg: Omit<ParsedMessage, 'text'>;
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
const sha256 = (parts: unknown[]): string => hash('sha256', JSON.stringify(parts), 'hex').slice(0, 32);

export function messageFacts(msg: ParsedMessage, envelope: Envelope, auth: SenderAuth | null = null): MessageFacts {
  const from = msg.from ? normalizeEmail(msg.from.address) : null;
  const { text: crlfText, ...withoutText } = msg;
  const text = crlfText.replace(/\r\n/g, '\n');
  const reply = extractReply(text).body;
  return {
    msg: withoutText,
    envelope,
    body: truncateBody(reply),
    fullBody: text,
    fingerprint: sha256([msg.messageId, from, msg.subject, text, msg.attachments.map((a) => a.sha256).sort()]),
    // The new text, not the whole: an autoresponder that quotes what it answers differs every time (SPEC §4).
    loopKey: sha256([from, msg.subject, reply]),
    autoReply: detectAutoReply({
      header: (name) => headerOf(msg, name),
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
  /** The contact and collaborators of `existing`, read with it; null without `existing`. */
  parties: Participants | null;
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

/**
 * Reads the facts of one recipient, every one a decision can need, before the stages run (they are
 * pure). Runs inside the message's transaction; reads only what this message can need: nothing
 * more for a bounce or automatic mail, nothing past the duplicate for a duplicate, a rate-limit
 * count only under a limit, an auto-response count only with an auto-response.
 */
export async function readFacts(tx: Tx, config: Config, m: MessageFacts, rcpt: string, target: Target, now: number): Promise<RecipientFacts> {
  const msg = m.msg;
  const loopKeys = loopKeysAt(m.loopKey, now);
  // One object with every field, filled in below. Not `{ ...base, ...none }`: in Node 20 a second
  // spread into an object literal copies property by property through the runtime, ~20 µs for these
  // 23 fields, 2 % of serve's main thread (bench/README.md, issue 19's seventh pass).
  const facts: RecipientFacts = {
    message: m,
    rcpt,
    target,
    now,
    loopKeys,
    closedCaseReply: config.closedCaseReply,
    senderAuth: config.senderAuth,
    route: null,
    existing: null,
    closedCaseContact: null,
    parties: null,
    senderIsParticipant: false,
    issuedTo: null,
    senderIsIssued: false,
    senderAddress: null,
    duplicate: null,
    recentSame: 0,
    routing: null,
    senderContact: null,
    defaultOwnerId: null,
    routedTo: null,
    openedLastHour: 0,
    autoResponsesLastHour: 0,
  };
  // A delivery report counts only on a bounce address; elsewhere it is mail like any other (from
  // the null sender or a mailer daemon: automatic mail, dropped; from a person: their message).
  if (target.kind === 'bounce' || m.autoReply !== null || msg.authorProblem !== null) return facts;

  const from = msg.from?.address ?? null;
  let route: Route | null;
  let thread: Thread | null = null;
  if (target.kind === 'routing' || target.kind === 'system') {
    thread = await caseOfThread(tx, config.domain, msg);
    const threadCaseId = thread !== null && thread.issuedTo !== null ? thread.caseId : null;
    // The thread root is in every notification of the case, to every recipient, old and removed
    // ones too: like the subject tag it counts only for a participant, and only with a DMARC pass
    // (in every mode: `record` only does not refuse, `off` checks nothing, so nothing passes).
    const rootCaseId = thread !== null && thread.issuedTo === null && from !== null && (await isParticipantOf(tx, thread.caseId, from)) ? thread.caseId : null;
    const taggedCaseId = target.kind === 'routing' && thread === null && from !== null ? await caseOfSubjectTag(tx, msg.subject, from) : null;
    route = decideRoute({ target, threadCaseId, rootCaseId, taggedCaseId, senderAuthenticated: m.auth?.dmarc === 'pass' });
  } else {
    route = decideRoute({ target, threadCaseId: null, rootCaseId: null, taggedCaseId: null, senderAuthenticated: false });
  }
  const issuedTo = issuedToOf(route, target, thread);
  // Copies of one message (through two nodes, to two aliases) are taken one after the other, so
  // that the second finds the first as its duplicate.
  if (route !== null) await lockFingerprint(tx, m.fingerprint);
  const existing = route?.kind === 'existing' ? ((await caseById(tx, route.caseId)) ?? null) : null;
  const duplicate =
    (existing
      ? ((await duplicateInCase(tx, existing.id, m.fingerprint)) ??
        (existing.status === 'Closed' ? await duplicateInCaseWhere(tx, 'parent_id', existing.id, m.fingerprint) : undefined))
      : msg.messageId === null
        ? // The same message to two routing addresses (aliases) in one transaction opens one case.
          route?.kind === 'new' && from !== null
          ? await openedInSameDelivery(tx, from, now, m.fingerprint)
          : undefined
        : await duplicateInCaseWhere(tx, 'thread_root', msg.messageId, m.fingerprint)) ?? null;
  const routedTo = target.kind === 'routing' ? ((await routingById(tx, target.routingId)) ?? null) : null;
  const routing = route?.kind === 'new' ? (routedTo?.id === route.routingId ? routedTo : ((await routingById(tx, route.routingId)) ?? null)) : null;
  facts.route = route;
  facts.existing = existing;
  facts.issuedTo = issuedTo;
  facts.duplicate = duplicate;
  facts.routedTo = routedTo;
  facts.routing = routing;
  // Without a route, or with a duplicate, the stages decide before they need anything else.
  if (route === null || duplicate !== null) return facts;

  const since = now - ROUTING_WINDOW_MS;
  // Limits are counted under their key's lock (PostgreSQL), so that nodes count one after another.
  await lockLimit(tx, 'loop', m.loopKey);
  facts.recentSame = await countRecentSame(tx, loopKeys, now - LOOP_WINDOW_MS, msg.messageId);
  if (route.kind === 'new') {
    const match = from !== null ? matchContact(from, await contactsByEmail(tx, from)) : null;
    const defaultOwner = config.defaultOwner !== null ? await userByEmail(tx, config.defaultOwner) : undefined;
    const limited = routing !== null && routing.rateLimit > 0 && from !== null;
    if (limited) await lockLimit(tx, 'rate', `${routing.id}:${from.toLowerCase()}`);
    const responds = routing !== null && routing.autoResponse !== null && from !== null;
    facts.senderContact = match?.kind === 'linked' ? match.contact : null;
    facts.senderAddress = match?.kind === 'linked' ? match.contact.email : null;
    facts.defaultOwnerId = defaultOwner?.id ?? null;
    facts.openedLastHour = limited ? await countOpenedVia(tx, routing.id, from, since) : 0;
    facts.autoResponsesLastHour = responds ? await countAutoResponsesSince(tx, normalizeEmail(from), since) : 0;
    return facts;
  }
  if (existing === null) return facts;
  const read = await participantsOf(tx, existing);
  const parties = read.all;
  const ownerEmail = issuedTo?.kind === 'owner' && existing.ownerId !== null ? ((await userById(tx, existing.ownerId))?.email ?? null) : null;
  facts.closedCaseContact = existing.status === 'Closed' && existing.contactId !== null ? ((await contactById(tx, existing.contactId)) ?? null) : null;
  facts.parties = read;
  facts.senderIsParticipant = from !== null && isParticipant(from, null, parties);
  facts.senderIsIssued = from !== null && issuedTo !== null && isIssuedSender(from, issuedTo, { participants: issuedTo.kind === 'owner' ? [] : parties, ownerEmail });
  facts.senderAddress = from === null ? null : knownAddress(from, parties);
  return facts;
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
async function caseOfThread(tx: Tx, domain: string, msg: Pick<ParsedMessage, 'messageId' | 'inReplyTo' | 'references' | 'subject'>): Promise<Thread | null> {
  for (const id of [...msg.inReplyTo, ...[...msg.references].reverse()]) {
    const token = tokenOfMessageId(id, domain);
    const row = token === null ? undefined : await outboxByToken(tx, token);
    // A reply to a sign-in mail (no case) threads nowhere.
    if (row !== undefined && row.caseId !== null) {
      const reply = row.replyAddressId === null ? undefined : await replyAddressById(tx, row.replyAddressId);
      return { caseId: row.caseId, issuedTo: reply === undefined ? issuedToOfRow(row) : { kind: reply.kind, address: reply.addressLower, live: reply.retiredAt === null } };
    }
    // A case opened by mail has the customer's Message-ID as its thread root: not one of ours.
    const byRoot = id.toLowerCase().endsWith(`@${domain.toLowerCase()}>`) ? await caseIdByThreadRoot(tx, id) : undefined;
    if (byRoot !== undefined) return { caseId: byRoot, issuedTo: null };
  }
  return null;
}

/** A notification written before reply addresses was still sent to one person: its recipient (still a participant, or the owner). */
function issuedToOfRow(row: OutboxRow): IssuedTo {
  return { kind: row.kind === 'owner' ? 'owner' : 'collaborator', address: row.recipientLower, live: true };
}

/** The sender is the contact or a collaborator of the case. */
async function isParticipantOf(tx: Tx, caseId: number, from: string): Promise<boolean> {
  const row = await caseById(tx, caseId);
  return row !== undefined && isParticipant(from, null, (await participantsOf(tx, row)).all);
}

/** The case of a `[Case 00001001]` tag, only when the sender is one of its participants. */
async function caseOfSubjectTag(tx: Tx, subject: string, from: string): Promise<number | null> {
  const number = caseNumberInSubject(subject);
  const row = number === null ? undefined : await caseByNumber(tx, number);
  if (!row) return null;
  return isParticipant(from, null, (await participantsOf(tx, row)).all) ? row.id : null;
}
