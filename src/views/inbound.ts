// `inbound list/show`: the inbound log, one row per message and recipient that reached DATA.
import type { Tx } from '../db/engine.js';
import { inboundById, listInbound, type InboundListed } from '../db/inbound.js';
import { INBOUND_DECISIONS, parseDecision } from '../domain/inbound.js';
import { parseId } from '../domain/ids.js';
import { invalid, notFound } from '../errors.js';
import { storedAuth } from './case.js';
import { addressFilter, caseIdFilter, maybe, messageIdFilter, sinceFilter } from './traceFilters.js';

export function view(row: InboundListed) {
  return {
    id: row.id,
    messageId: row.messageId,
    from: row.fromAddr,
    mailFrom: row.mailFrom,
    rcpt: row.rcpt,
    subject: row.subject,
    decision: row.decision,
    reason: row.reason,
    case: row.caseNumber,
    comment: row.commentId,
    size: row.size,
    /** Sender authentication: `dmarc`, `spf`, `dkim`, `arc`, `policy`, `source`; null when not looked up. */
    auth: storedAuth(row.auth),
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

export interface InboundListFilter {
  status?: string;
  limit?: string;
  from?: string;
  to?: string;
  messageId?: string;
  case?: string;
  since?: string;
}

export async function inboundList(tx: Tx, filter: InboundListFilter, now = Date.now()) {
  const decision = filter.status === undefined ? undefined : parseDecision(filter.status);
  if (decision === null) {
    throw invalid(`--status "${filter.status}" is not one of ${INBOUND_DECISIONS.join(', ')}; give one of them, or leave it out`);
  }
  const limit = filter.limit === undefined ? 100 : parseId(filter.limit);
  if (limit === null) throw invalid(`--limit "${filter.limit}" is not a number of rows; give a whole number, at least 1`);
  const rows = await listInbound(tx, {
    decision,
    limit,
    fromLower: maybe(filter.from, (v) => addressFilter(v, '--from')),
    rcptLower: maybe(filter.to, (v) => addressFilter(v, '--to')),
    messageId: maybe(filter.messageId, (v) => messageIdFilter(v)),
    since: maybe(filter.since, (v) => sinceFilter(v, now)),
    caseId: filter.case === undefined ? undefined : await caseIdFilter(tx, filter.case),
  });
  return rows.map(view);
}

export type InboundView = ReturnType<typeof view>;

export async function inboundShow(tx: Tx, id: string) {
  const wanted = parseId(id);
  if (wanted === null) throw invalid(`"${id}" is not an inbound log id; see "casegate inbound list"`);
  const row = await inboundById(tx, wanted);
  if (!row) throw notFound(`no inbound log entry ${id}; see "casegate inbound list"`);
  return { ...view(row), smtpCode: row.smtpCode, fingerprint: row.fingerprint, headers: row.headers };
}
