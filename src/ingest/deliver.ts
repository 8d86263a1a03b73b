// One message to one recipient, inside the caller's transaction: bounce and auto-reply guards,
// duplicates, the loop rule, route, authorise, closed-case policy, then store. Returns the answer
// and writes the inbound log row for every outcome.
import type { Config } from '../config.js';
import { statementCache, type Store } from '../db/client.js';
import { findCaseById, type CaseRow } from '../db/cases.js';
import { recordBounce } from '../outbound/bounces.js';
import { answer, type Answer } from '../domain/refusal.js';
import { closedCaseAction, loopRefusal, LOOP_WINDOW_MS, type Target } from '../domain/route.js';
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
const statementsOf = statementCache((store: Store) => {
  const s = store.sqlite;
  return {
    duplicateInCase: s.prepare<[string, number], { id: number }>(
      "SELECT id FROM inbound WHERE fingerprint = ? AND case_id = ? AND decision = 'accepted' LIMIT 1",
    ),
    duplicateAnywhere: s.prepare<[string], { id: number; case_id: number | null }>(
      "SELECT id, case_id FROM inbound WHERE fingerprint = ? AND decision = 'accepted' LIMIT 1",
    ),
    recentSame: s.prepare<[string, number], { n: number }>(
      'SELECT count(*) AS n FROM inbound WHERE loop_key = ? AND created_at > ?',
    ),
  };
});

export function deliver(store: Store, config: Config, f: MessageFacts, rcpt: string, target: Target, now: number): Outcome {
  const s = statementsOf(store);
  const done = (decision: Decision, a: Answer, caseRow: CaseRow | null, write?: (inboundId: number) => void): Outcome => {
    const inboundId = logInbound(
      store,
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
        loopKey: f.loopKey,
        size: f.msg.size,
        headers: f.msg.headerSection,
      },
      now,
    );
    write?.(inboundId);
    return { rcpt, answer: a, decision, inboundId, caseNumber: caseRow?.number ?? null };
  };

  if (f.msg.dsn !== null || target.kind === 'bounce') return handleReport(store, f, target, now, done);
  if (f.autoReply !== null) {
    return done('ignored', answer(250, '2.6.0', `accepted and dropped: automatic mail is not turned into comments (${f.autoReply})`), null);
  }

  const route = routeMessage(store, f.msg, target);
  if (route === null) return done('ignored', answer(250, '2.6.0', 'accepted and dropped: nothing to do'), null);
  const existing = route.kind === 'existing' ? (findCaseById(store, route.caseId) ?? null) : null;

  const dup: { id: number; case_id?: number | null } | undefined = existing
    ? s.duplicateInCase.get(f.fingerprint, existing.id)
    : s.duplicateAnywhere.get(f.fingerprint);
  if (dup) {
    const dupCase = existing ?? (dup.case_id == null ? null : (findCaseById(store, dup.case_id) ?? null));
    return done('duplicate', answer(250, '2.6.0', `already stored (inbound ${dup.id}); this copy is not added again`), dupCase);
  }
  const loop = loopRefusal(s.recentSame.get(f.loopKey, now - LOOP_WINDOW_MS)?.n ?? 0);
  if (loop) return done('refused', loop, existing);

  if (existing === null) {
    if (route.kind !== 'new') return done('refused', answer(451, '4.3.0', 'case vanished while routing; try again'), null);
    const opened = openCaseFromMail(store, config, f, route.routingId, now);
    if (!opened.ok) return done('refused', opened.answer, null);
    return done('accepted', answer(250, '2.6.0', `opened case ${opened.row.number}`), opened.row, (inboundId) =>
      storeReply(store, config, opened.row, f, inboundId, now),
    );
  }

  const refusal = authorizeSender(store, existing, f.msg.from?.address ?? null);
  if (refusal) return done('refused', refusal, existing);

  switch (closedCaseAction(existing.status, config.closedCaseReply)) {
    case 'refuse':
      return done(
        'refused',
        answer(550, '5.7.1', `case ${existing.number} is closed and takes no replies; write to the support address to open a new case`),
        existing,
      );
    case 'child': {
      const child = openCaseFromMail(store, config, f, null, now, existing);
      if (!child.ok) return done('refused', child.answer, existing);
      return done('accepted', answer(250, '2.6.0', `case ${existing.number} is closed; opened follow-up case ${child.row.number}`), child.row, (id) =>
        storeReply(store, config, child.row, f, id, now),
      );
    }
    case 'reopen':
      reopenForReply(store, existing, now);
      return done('accepted', answer(250, '2.6.0', `added to case ${existing.number}, which is reopened`), existing, (id) =>
        storeReply(store, config, existing, f, id, now),
      );
    case 'none':
      return done('accepted', answer(250, '2.6.0', `added to case ${existing.number}`), existing, (id) =>
        storeReply(store, config, existing, f, id, now),
      );
  }
}

/** A delivery status notification marks the recipient of the outbound message it reports on as bouncing. */
function handleReport(
  store: Store,
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
      store,
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
