// `outbox list`: one row per recipient per notification (SPEC §6).
import type { Db } from '../db/client.js';
import { listOutboxRows, type OutboxListed } from '../db/outbox.js';
import { bounceAddress } from '../domain/mailNames.js';
import { OUTBOX_STATUSES, parseOutboxStatus, type OutboxStatus } from '../domain/outbox.js';
import { invalid } from '../errors.js';

/** An outbox row as `outbox list` shows it. */
export interface OutboxListRow {
  id: number;
  case: string;
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
}

function view(r: OutboxListed, domain: string): OutboxListRow {
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
  };
}

/** Rows of the outbox; `domain` is the case domain (`CASEGATE_DOMAIN`) the VERP addresses are on. */
export function outboxList(db: Db, domain: string, filter: { status?: string; id?: number } = {}): OutboxListRow[] {
  const status = filter.status === undefined ? undefined : parseOutboxStatus(filter.status);
  if (status === null) throw invalid(`unknown outbox status "${filter.status}"; use one of ${OUTBOX_STATUSES.join(', ')}`);
  return listOutboxRows(db, { status, id: filter.id }).map((r) => view(r, domain));
}
