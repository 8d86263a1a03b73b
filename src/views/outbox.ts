// `outbox list`: one row per recipient per notification (SPEC §6).
import type { Tx } from '../db/engine.js';
import { listOutboxRows, type OutboxListed } from '../db/outbox.js';
import { bounceAddress, caseAddress } from '../domain/mailNames.js';
import { NOTIFICATION_KINDS, OUTBOX_STATUSES, parseOutboxStatus, type OutboxStatus } from '../domain/outbox.js';
import { invalid } from '../errors.js';
import { addressFilter, caseIdFilter, maybe, sinceFilter } from './traceFilters.js';

/** An outbox row as `outbox list` shows it. */
export interface OutboxListRow {
  id: number;
  /** The case number; null for mail about no case (a Help portal sign-in link). */
  case: string | null;
  recipient: string;
  kind: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
  messageId: string;
  /** The VERP envelope sender the message goes out with: a bounce to it names this row. */
  envelopeFrom: string;
  /** Its Reply-To: the recipient's own reply address (the case address for rows older than those). */
  replyTo: string | null;
}

export function outboxView(r: OutboxListed, domain: string): OutboxListRow {
  return {
    id: r.id,
    case: r.caseNumber,
    recipient: r.recipient,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    lastError: r.lastError,
    // Only a pending row has a next attempt.
    nextAttemptAt: r.status === 'pending' ? new Date(r.nextAttemptAt).toISOString() : null,
    sentAt: r.sentAt === null ? null : new Date(r.sentAt).toISOString(),
    messageId: r.messageId,
    envelopeFrom: bounceAddress(r.token, domain),
    replyTo: r.replyToken === null ? null : caseAddress(r.replyToken, domain),
  };
}

export interface OutboxListFilter {
  status?: string;
  id?: number;
  kind?: string;
  case?: string;
  recipient?: string;
  since?: string;
}

/** Rows of the outbox; `domain` is the case domain (`CASEGATE_DOMAIN`) the VERP addresses are on. */
export async function outboxList(tx: Tx, domain: string, filter: OutboxListFilter = {}, now = Date.now()): Promise<OutboxListRow[]> {
  const status = filter.status === undefined ? undefined : parseOutboxStatus(filter.status);
  if (status === null) throw invalid(`unknown outbox status "${filter.status}"; use one of ${OUTBOX_STATUSES.join(', ')}`);
  const kind = filter.kind?.trim().toLowerCase();
  if (kind !== undefined && !(NOTIFICATION_KINDS as readonly string[]).includes(kind)) {
    throw invalid(`unknown notification kind "${filter.kind}"; use one of ${NOTIFICATION_KINDS.join(', ')}`);
  }
  const rows = await listOutboxRows(tx, {
    status,
    id: filter.id,
    kind,
    recipientLower: maybe(filter.recipient, (v) => addressFilter(v, '--recipient')),
    since: maybe(filter.since, (v) => sinceFilter(v, now)),
    caseId: filter.case === undefined ? undefined : await caseIdFilter(tx, filter.case),
  });
  return rows.map((r) => outboxView(r, domain));
}
