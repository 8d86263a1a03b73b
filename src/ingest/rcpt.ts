// RCPT stage: which recipients we take mail for (SPEC §4 "RCPT"). A recipient is a routing
// address, the system From address of our notifications, a live case address, a reply address
// issued to a participant and not retired, or one of our bounce (VERP) addresses; other mailboxes of our domain are unknown (550 5.1.1) and other domains
// are not relayed (550 5.7.1).
import type { Config } from '../config.js';
import type { Tx } from '../db/engine.js';
import { caseIdByAddressToken } from '../db/cases.js';
import { outboxIdByToken } from '../db/outbox.js';
import { replyAddressByToken } from '../db/replyAddresses.js';
import { routingIdByAddress } from '../db/routing.js';
import { bounceTokenOf, caseTokenOf } from '../domain/mailNames.js';
import { domainOf, isEmailAddress, normalizeEmail } from '../domain/address.js';
import { answers, type Answer } from '../domain/answers.js';
import type { Target } from '../domain/route.js';

export type RcptCheck = { ok: true; target: Target } | { ok: false; answer: Answer };

export async function checkRcpt(tx: Tx, config: Pick<Config, 'domain' | 'from'>, address: string): Promise<RcptCheck> {
  const lower = normalizeEmail(address);
  if (!isEmailAddress(lower)) return { ok: false, answer: answers.badMailbox(address) };
  const routingId = await routingIdByAddress(tx, lower);
  if (routingId !== undefined) return { ok: true, target: { kind: 'routing', routingId } };
  if (lower === normalizeEmail(config.from)) return { ok: true, target: { kind: 'system' } };
  if (domainOf(lower) !== config.domain) return { ok: false, answer: answers.relayDenied(address, config.domain) };
  const caseToken = caseTokenOf(lower, config.domain);
  const caseId = caseToken === null ? undefined : await caseIdByAddressToken(tx, caseToken);
  if (caseId !== undefined) return { ok: true, target: { kind: 'case', caseId, issuedTo: null } };
  // A retired reply address is unknown, like any mailbox we never had.
  const reply = caseToken === null ? undefined : await replyAddressByToken(tx, caseToken);
  if (reply !== undefined && reply.retiredAt === null) {
    return { ok: true, target: { kind: 'case', caseId: reply.caseId, issuedTo: { kind: reply.kind, address: reply.addressLower, live: true } } };
  }
  const bounceToken = bounceTokenOf(lower, config.domain);
  if (bounceToken !== null && await outboxIdByToken(tx, bounceToken) !== undefined) return { ok: true, target: { kind: 'bounce', token: bounceToken } };
  return { ok: false, answer: answers.noSuchMailbox(address) };
}
