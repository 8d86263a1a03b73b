// `casegate trace MESSAGE-ID|CASE`: the path of a message, or of every message of a case, as steps
// in order. A received message: received → decision (and why) → the comment or case it made → each
// notification it caused and its delivery. One of our notifications: queued → delivery. A case:
// every received message, notification, change of status/priority/owner and comment not from mail,
// in time order, each followed by its own later steps. Times the tables do not keep (when a row
// failed for good, when a retry failed) are left out (`at` null) rather than guessed.
import type { Tx } from '../db/engine.js';
import { caseById, type CaseRow } from '../db/cases.js';
import { commentsOfCase } from '../db/comments.js';
import { historyOfCase } from '../db/caseHistory.js';
import { listInbound, type InboundListed } from '../db/inbound.js';
import { listOutboxRows, type OutboxListed } from '../db/outbox.js';
import { isCaseNumber, parseMessageIdRef } from '../domain/ids.js';
import { tokenOfMessageId } from '../domain/mailNames.js';
import { invalid, notFound } from '../errors.js';
import { iso } from './case.js';
import { caseOf } from './traceFilters.js';

export interface TraceStep {
  /** ISO time; null when the database keeps no time for this step. */
  at: string | null;
  /** received, accepted, refused, ignored, duplicate, comment, queued, held, sent, retrying, failed, bounced, delayed, pending, changed. */
  step: string;
  /** One line a person reads. */
  text: string;
  case: string | null;
  inbound?: number;
  outbox?: number;
  comment?: number;
}

export interface Trace {
  /** What was traced: the Message-ID with brackets, or the case number. */
  query: string;
  kind: 'message' | 'case';
  steps: TraceStep[];
}

/** At most this many inbound rows of one case are traced. */
const CASE_ROWS = 10_000;

/**
 * The steps of one received message (one inbound log row), with the notifications it caused, out
 * of `outbox`: the rows of its case.
 */
function inboundSteps(row: InboundListed, kase: CaseRow | undefined, outbox: readonly OutboxListed[]): TraceStep[] {
  const at = iso(row.createdAt);
  const c = row.caseNumber;
  const from = row.fromAddr ?? '(no From)';
  const envelope = row.mailFrom !== null && row.mailFrom.toLowerCase() !== from.toLowerCase() ? ` (envelope ${row.mailFrom === '' ? '<>' : row.mailFrom})` : '';
  const steps: TraceStep[] = [
    { at, step: 'received', text: `${row.messageId ?? '(no Message-ID)'} from ${from}${envelope} to ${row.rcpt}, ${row.size} bytes, subject "${row.subject ?? ''}"`, case: c, inbound: row.id },
    { at, step: row.decision, text: row.reason, case: c, inbound: row.id },
  ];
  if (row.commentId !== null) steps.push({ at, step: 'comment', text: `comment ${row.commentId} on case ${c}`, case: c, inbound: row.id, comment: row.commentId });
  if (row.caseId === null) return steps;
  const opened = kase !== undefined && kase.createdAt === row.createdAt && kase.threadRoot === row.messageId;
  const caused = outbox.filter(
    (o) => (row.commentId !== null && o.commentId === row.commentId && o.kind !== 'history') || (opened && o.createdAt === row.createdAt && o.commentId === null),
  );
  for (const o of caused) steps.push(...outboxSteps(o));
  return steps;
}

/** A notification: queued, then what became of it. */
function outboxSteps(o: OutboxListed): TraceStep[] {
  const ref = { case: o.caseNumber, outbox: o.id, ...(o.commentId === null ? {} : { comment: o.commentId }) };
  const tries = `${o.attempts} attempt${o.attempts === 1 ? '' : 's'}`;
  const steps: TraceStep[] = [{ at: iso(o.createdAt), step: 'queued', text: `${o.kind} to ${o.recipient}, ${o.messageId}`, ...ref }];
  switch (o.status) {
    case 'held':
      steps.push({ at: iso(o.createdAt), step: 'held', text: o.lastError ?? 'held', ...ref });
      break;
    case 'pending':
      steps.push(
        o.attempts === 0
          ? { at: null, step: 'pending', text: `waiting for the dispatcher (due ${iso(o.nextAttemptAt)})`, ...ref }
          : { at: null, step: 'retrying', text: `${tries} failed, last: ${o.lastError ?? '-'}; next attempt ${iso(o.nextAttemptAt)}`, ...ref },
      );
      break;
    case 'failed':
      steps.push({ at: null, step: 'failed', text: `gave up after ${tries}: ${o.lastError ?? '-'}`, ...ref });
      break;
    case 'sent':
    case 'bounced':
      steps.push({ at: iso(o.sentAt), step: 'sent', text: `${tries}${o.response ? `: ${o.response}` : ''}`, ...ref });
      if (o.bouncedAt !== null) steps.push({ at: iso(o.bouncedAt), step: o.status === 'bounced' ? 'bounced' : 'delayed', text: o.lastError ?? '-', ...ref });
      break;
  }
  return steps;
}

/** A trace of one Message-ID: the messages received with it, or the notification of ours it names. */
async function traceMessage(tx: Tx, messageId: string, domain: string): Promise<Trace> {
  const received = (await listInbound(tx, { messageId, limit: 1000 })).reverse();
  const steps: TraceStep[] = [];
  for (const row of received) {
    const kase = row.caseId === null ? undefined : await caseById(tx, row.caseId);
    steps.push(...inboundSteps(row, kase, row.caseId === null ? [] : await listOutboxRows(tx, { caseId: row.caseId })));
  }
  const token = tokenOfMessageId(messageId, domain);
  if (token !== null) for (const o of await listOutboxRows(tx, { token })) steps.push(...outboxSteps(o));
  if (steps.length === 0) {
    throw notFound(`no message ${messageId} in the inbound log or the outbox; check the id, or search with "casegate inbound list --from ADDR"`);
  }
  return { query: messageId, kind: 'message', steps };
}

/** A trace of a case: its steps grouped by what they follow, the groups in time order. */
async function traceCase(tx: Tx, kase: CaseRow): Promise<Trace> {
  const groups: Array<{ at: number; seq: number; steps: TraceStep[] }> = [];
  const add = (at: number, steps: TraceStep[]): void => {
    groups.push({ at, seq: groups.length, steps });
  };
  const c = kase.number;
  const received = (await listInbound(tx, { caseId: kase.id, limit: CASE_ROWS })).reverse();
  const outbox = await listOutboxRows(tx, { caseId: kase.id });
  const caused = new Set<number>();
  for (const row of received) {
    const steps = inboundSteps(row, kase, outbox);
    for (const s of steps) if (s.outbox !== undefined) caused.add(s.outbox);
    add(row.createdAt, steps);
  }
  for (const h of await historyOfCase(tx, kase.id)) {
    add(h.createdAt, [{ at: iso(h.createdAt), step: 'changed', text: `${h.field} ${h.oldValue ?? '(none)'} -> ${h.newValue ?? '(none)'} by ${h.actor}`, case: c }]);
  }
  for (const m of await commentsOfCase(tx, kase.id)) {
    if (m.inboundId !== null) continue;
    add(m.createdAt, [{ at: iso(m.createdAt), step: 'comment', text: `comment ${m.id} by ${m.authorEmail} (${m.source}${m.internal ? ', internal' : ''})`, case: c, comment: m.id }]);
  }
  for (const o of outbox) if (!caused.has(o.id)) add(o.createdAt, outboxSteps(o));
  groups.sort((a, b) => a.at - b.at || a.seq - b.seq);
  const opened: TraceStep = { at: iso(kase.createdAt), step: 'opened', text: `case ${c} "${kase.subject}" (origin ${kase.origin})`, case: c };
  return { query: c, kind: 'case', steps: [opened, ...groups.flatMap((g) => g.steps)] };
}

/** `ref`: a case number (8 digits) or a Message-ID with or without its angle brackets. */
export async function trace(tx: Tx, ref: string, domain: string): Promise<Trace> {
  const text = ref.trim();
  if (isCaseNumber(text)) return traceCase(tx, await caseOf(tx, text));
  const messageId = parseMessageIdRef(text);
  if (messageId === null || !messageId.includes('@')) {
    throw invalid(`"${ref}" is neither a case number (8 digits) nor a Message-ID; give one such as 00001001 or <abc123@mail.example>`);
  }
  return traceMessage(tx, messageId, domain);
}
