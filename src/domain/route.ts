// Which case an inbound message belongs to (SPEC §4 "Which case"), and the loop rule. Pure.
import type { Answer } from './refusal.js';
import { answer } from './refusal.js';

/** What the recipient address named, decided at RCPT. */
export type Target =
  | { kind: 'case'; caseId: number }
  | { kind: 'routing'; routingId: number }
  | { kind: 'bounce'; token: string };

export interface RouteFacts {
  target: Target;
  /** Case found through a Message-ID of ours in In-Reply-To/References. */
  threadCaseId: number | null;
  /** Case named by a `[Case 00001001]` subject tag, only when the sender is one of its participants. */
  taggedCaseId: number | null;
}

export type Route = { kind: 'existing'; caseId: number; via: 'address' | 'thread' | 'subject' } | { kind: 'new'; routingId: number };

/** Case address, else our Message-ID, else subject tag with an authorised sender, else a new case. */
export function decideRoute(f: RouteFacts): Route | null {
  if (f.target.kind === 'case') return { kind: 'existing', caseId: f.target.caseId, via: 'address' };
  if (f.target.kind !== 'routing') return null;
  if (f.threadCaseId !== null) return { kind: 'existing', caseId: f.threadCaseId, via: 'thread' };
  if (f.taggedCaseId !== null) return { kind: 'existing', caseId: f.taggedCaseId, via: 'subject' };
  return { kind: 'new', routingId: f.target.routingId };
}

/** More than LOOP_LIMIT messages with the same sender, subject and body within LOOP_WINDOW_MS. */
export const LOOP_LIMIT = 15;
export const LOOP_WINDOW_MS = 60_000;

/**
 * The loop keys stored and searched at `now`: the key of this minute, and of the one before, so
 * that a 60-second window is always covered and the index grows at its end.
 */
export function loopKeysAt(hash: string, now: number): [current: string, previous: string] {
  const minute = Math.floor(now / LOOP_WINDOW_MS);
  return [`${minute.toString(36)}.${hash}`, `${(minute - 1).toString(36)}.${hash}`];
}

export function loopRefusal(recentSame: number): Answer | null {
  if (recentSame < LOOP_LIMIT) return null;
  return answer(
    550,
    '5.7.1',
    `refused as a mail loop: more than ${LOOP_LIMIT} messages with the same sender, subject and body within ${LOOP_WINDOW_MS / 1000} seconds`,
  );
}

export type ClosedPolicy = 'reopen' | 'refuse' | 'child';

/** What a reply to a closed case does (SPEC §4 "Closed cases"). */
export function closedCaseAction(status: string, policy: ClosedPolicy): 'none' | 'reopen' | 'refuse' | 'child' {
  if (status !== 'Closed') return 'none';
  return policy;
}
