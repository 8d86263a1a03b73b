// One message to one recipient, inside the caller's transaction: bounce and auto-reply guards,
// duplicates, the loop rule, route, authorise, closed-case policy, then db. Returns the answer
// and writes the inbound log row for every outcome.
import type { Config } from '../config.js';
import { statementCache, type Db } from '../db/client.js';
import { findCaseById, type CaseRow } from '../db/cases.js';
import { recordBounce } from '../outbound/bounces.js';
import { answer, type Answer } from '../domain/refusal.js';
import { closedCaseAction, loopKeysAt, loopRefusal, LOOP_WINDOW_MS, type Target } from '../domain/route.js';
import { routeMessage } from './route.js';
import { authorizeSender } from './authorize.js';
import { logInbound, type Decision } from './log.js';
import { openCaseFromMail, storeReply, reopenForReply } from './store.js';
import type { MessageFacts } from './facts.js';

export interface Outcome {
  rcpt: string;
  answer: Answer;
  decision: Decision;
  inboundId: number;
  caseNumber: string | null;
}

/** Prepared once per connection. */
const statementsOf = statementCache((db: Db) => {
  const s = db.sqlite;
  return {
    duplicateInCase: s.prepare<[number, string], { id: number; case_id: number | null }>(
      "SELECT id, case_id FROM inbound WHERE case_id = ? AND fingerprint = ? AND decision = 'accepted' LIMIT 1",
    ),
    // A closed case's follow-up child holds the copy a redelivery would duplicate.
    duplicateInChild: s.prepare<[number, string], { id: number; case_id: number | null }>(
      `SELECT i.id, i.case_id FROM cases c JOIN inbound i ON i.case_id = c.id
        WHERE c.parent_id = ? AND i.fingerprint = ? AND i.decision = 'accepted' LIMIT 1`,
    ),
    // A mail that opened a case is that case's thread root.
    duplicateOpening: s.prepare<[string, string], { id: number; case_id: number | null }>(
      `SELECT i.id, i.case_id FROM cases c JOIN inbound i ON i.case_id = c.id
        WHERE c.thread_root = ? AND i.fingerprint = ? AND i.decision = 'accepted' LIMIT 1`,
    ),
    // Earlier messages, not log rows: a message to two recipients has two rows.
    recentSame: s.prepare<[string, string, number, string | null, string | null], { n: number }>(
      `SELECT count(DISTINCT coalesce(message_id, id)) AS n FROM inbound
        WHERE loop_key IN (?, ?) AND created_at > ? AND (? IS NULL OR message_id IS NOT ?)`,
    ),
  };
});

export function deliver(db: Db, config: Config, f: MessageFacts, rcpt: string, target: Target, now: number): Outcome {
  const s = statementsOf(db);
  const [loopKey, previousLoopKey] = loopKeysAt(f.loopKey, now);
  const done = (decision: Decision, a: Answer, caseRow: CaseRow | null, write?: (inboundId: number) => void): Outcome => {
    const inboundId = logInbound(
      db,
      {
        messageId: f.msg.messageId,
        mailFrom: f.envelope.mailFrom,
        fromAddr: f.msg.from?.address ?? null,
        rcpt,
        subject: f.msg.subject,
        decision,
        answer: a,
        caseId: caseRow?.id ?? null,
        fingerprint: f.fingerprint,
        loopKey: loopKey,
        size: f.msg.size,
        headers: f.msg.headerSection,
      },
      now,
    );
    write?.(inboundId);
    return { rcpt, answer: a, decision, inboundId, caseNumber: caseRow?.number ?? null };
  };

  if (f.msg.dsn !== null || target.kind === 'bounce') return handleReport(db, f, target, now, done);
  if (f.autoReply !== null) {
    return done('ignored', answer(250, '2.6.0', `accepted and dropped: automatic mail is not turned into comments (${f.autoReply})`), null);
  }

  const route = routeMessage(db, config.domain, f.msg, target);
  if (route === null) return done('ignored', answer(250, '2.6.0', 'accepted and dropped: nothing to do'), null);
  const existing = route.kind === 'existing' ? (findCaseById(db, route.caseId) ?? null) : null;

  const dup = existing
    ? (s.duplicateInCase.get(existing.id, f.fingerprint) ??
      (existing.status === 'Closed' ? s.duplicateInChild.get(existing.id, f.fingerprint) : undefined))
    : f.msg.messageId === null
      ? undefined
      : s.duplicateOpening.get(f.msg.messageId, f.fingerprint);
  if (dup) {
    const dupCase = dup.case_id === null ? existing : (findCaseById(db, dup.case_id) ?? existing);
    return done('duplicate', answer(250, '2.6.0', `already stored (inbound ${dup.id}); this copy is not added again`), dupCase);
  }
  const recent = s.recentSame.get(loopKey, previousLoopKey, now - LOOP_WINDOW_MS, f.msg.messageId, f.msg.messageId);
  const loop = loopRefusal(recent?.n ?? 0);
  if (loop) return done('refused', loop, existing);

  if (existing === null) {
    if (route.kind !== 'new') return done('refused', answer(451, '4.3.0', 'case vanished while routing; try again'), null);
    const opened = openCaseFromMail(db, config, f, route.routingId, now);
    if (!opened.ok) return done('refused', opened.answer, null);
    return done('accepted', answer(250, '2.6.0', `opened case ${opened.row.number}`), opened.row, (inboundId) =>
      storeReply(db, config, opened.row, f, inboundId, now),
    );
  }

  const refusal = authorizeSender(db, existing, f.msg.from?.address ?? null);
  if (refusal) return done('refused', refusal, existing);

  switch (closedCaseAction(existing.status, config.closedCaseReply)) {
    case 'refuse':
      return done(
        'refused',
        answer(550, '5.7.1', `case ${existing.number} is closed and takes no replies; write to the support address to open a new case`),
        existing,
      );
    case 'child': {
      const child = openCaseFromMail(db, config, f, null, now, existing);
      if (!child.ok) return done('refused', child.answer, existing);
      return done('accepted', answer(250, '2.6.0', `case ${existing.number} is closed; opened follow-up case ${child.row.number}`), child.row, (id) =>
        storeReply(db, config, child.row, f, id, now),
      );
    }
    case 'reopen':
      reopenForReply(db, existing, now);
      return done('accepted', answer(250, '2.6.0', `added to case ${existing.number}, which is reopened`), existing, (id) =>
        storeReply(db, config, existing, f, id, now),
      );
    case 'none':
      return done('accepted', answer(250, '2.6.0', `added to case ${existing.number}`), existing, (id) =>
        storeReply(db, config, existing, f, id, now),
      );
  }
}

/** A delivery status notification marks the recipient of the outbound message it reports on as bouncing. */
function handleReport(
  db: Db,
  f: MessageFacts,
  target: Target,
  now: number,
  done: (decision: Decision, a: Answer, c: CaseRow | null) => Outcome,
): Outcome {
  const dsn = f.msg.dsn;
  if (dsn === null) {
    return done('ignored', answer(250, '2.6.0', 'accepted and dropped: mail to a bounce address that is not a delivery status notification'), null);
  }
  const token = target.kind === 'bounce' ? target.token : undefined;
  const marked: string[] = [];
  for (const r of dsn.recipients) {
    if (!/^failed$/i.test(r.action)) continue;
    const id = recordBounce(
      db,
      { token, messageId: dsn.originalMessageId ?? undefined, recipient: r.recipient, status: r.status, diagnostic: r.diagnostic },
      now,
    );
    if (id !== null) marked.push(`${r.recipient} (${r.status})`);
  }
  const text = marked.length > 0
    ? `delivery status notification: marked ${marked.join(', ')} as bouncing`
    : 'delivery status notification: no outbound message of ours matched it';
  return done('ignored', answer(250, '2.6.0', `accepted and dropped: ${text}`), null);
}
