// Which case an inbound message belongs to (SPEC §4 "Which case"). Pure.
import type { IssuedTo } from './recipients.js';

/** What the recipient address named, decided at RCPT. */
export type Target =
  /** A case address; `issuedTo` set for a per-participant reply address, null for the case-level one. */
  | { kind: 'case'; caseId: number; issuedTo: IssuedTo | null }
  | { kind: 'routing'; routingId: number }
  /** The system `From` address of our notifications: people reply to it. */
  | { kind: 'system' }
  | { kind: 'bounce'; token: string };

export interface RouteFacts {
  target: Target;
  /** Case found through the Message-ID of one of our notifications (issued to one recipient) in In-Reply-To/References. */
  threadCaseId: number | null;
  /**
   * Case found only through its thread root (the same in every notification of the case, so it
   * proves nobody), only when the sender is one of its participants.
   */
  rootCaseId: number | null;
  /** Case named by a `[Case 00001001]` subject tag, only when the sender is one of its participants. */
  taggedCaseId: number | null;
  /** The `From` domain passed DMARC (SPEC §4 Sender trust): only then are the thread root and the subject tag followed. */
  senderAuthenticated: boolean;
}

export type Route =
  | { kind: 'existing'; caseId: number; via: 'address' | 'thread' | 'root' | 'subject' }
  /** A new case; `parentId`: the case a thread root or subject tag named, when its sender was not authenticated. */
  | { kind: 'new'; routingId: number; parentId: number | null };

/**
 * Case address, else the Message-ID of one of our notifications, else the thread root or the
 * subject tag with an authorised and authenticated sender, else a new case (whose parent is the
 * case the root or tag named when the sender was authorised but not authenticated). Mail to the
 * system `From` address goes only where a notification of ours, or the thread root with an
 * authenticated participant, leads; null: nowhere.
 */
export function decideRoute(f: RouteFacts): Route | null {
  if (f.target.kind === 'case') return { kind: 'existing', caseId: f.target.caseId, via: 'address' };
  if (f.target.kind !== 'routing' && f.target.kind !== 'system') return null;
  if (f.threadCaseId !== null) return { kind: 'existing', caseId: f.threadCaseId, via: 'thread' };
  if (f.rootCaseId !== null && f.senderAuthenticated) return { kind: 'existing', caseId: f.rootCaseId, via: 'root' };
  if (f.target.kind === 'system') return null;
  if (f.taggedCaseId !== null && f.senderAuthenticated) return { kind: 'existing', caseId: f.taggedCaseId, via: 'subject' };
  return { kind: 'new', routingId: f.target.routingId, parentId: f.rootCaseId ?? f.taggedCaseId };
}
