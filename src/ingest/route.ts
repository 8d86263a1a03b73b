// Route stage: the case a message belongs to (SPEC §4 "Which case"), from the recipient, our
// Message-IDs in In-Reply-To/References, or a subject tag with an authorised sender.
import { statementCache, type Db } from '../db/client.js';
import { collaboratorEmails, contactAddress, findCaseById } from '../db/cases.js';
import { caseNumberInSubject, tokenOfMessageId } from '../domain/mailNames.js';
import { isParticipant } from '../domain/recipients.js';
import { decideRoute, type Route, type Target } from '../domain/route.js';
import type { ParsedMessage } from './parse.js';

/** Prepared once per connection. */
const statementsOf = statementCache((db: Db) => {
  const s = db.sqlite;
  return {
    byOutboxToken: s.prepare<[string], { case_id: number }>('SELECT case_id FROM outbox WHERE token = ?'),
    byThreadRoot: s.prepare<[string], { id: number }>('SELECT id FROM cases WHERE thread_root = ? ORDER BY id LIMIT 1'),
    byNumber: s.prepare<[string], { id: number }>('SELECT id FROM cases WHERE number = ?'),
  };
});

/** The case named by a Message-ID of ours (a notification, or a case's thread root), newest reference first. */
export function caseOfThread(db: Db, domain: string, msg: ParsedMessage): number | null {
  const s = statementsOf(db);
  const ids = [...msg.inReplyTo, ...[...msg.references].reverse()];
  for (const id of ids) {
    const token = tokenOfMessageId(id, domain);
    const out = token === null ? undefined : s.byOutboxToken.get(token);
    if (out) return out.case_id;
    // A case opened by mail has the customer's Message-ID as its thread root: not one of ours.
    const root = id.toLowerCase().endsWith(`@${domain.toLowerCase()}>`) ? s.byThreadRoot.get(id) : undefined;
    if (root) return root.id;
  }
  return null;
}

/** The case of a `[Case 00001001]` tag, only when the sender is one of its participants. */
export function caseOfSubjectTag(db: Db, msg: ParsedMessage): number | null {
  const number = caseNumberInSubject(msg.subject);
  if (number === null || msg.from === null) return null;
  const row = statementsOf(db).byNumber.get(number);
  if (!row) return null;
  const c = findCaseById(db, row.id);
  if (!c) return null;
  return isParticipant(msg.from.address, contactAddress(db, c), collaboratorEmails(db, c.id)) ? c.id : null;
}

export function routeMessage(db: Db, domain: string, msg: ParsedMessage, target: Target): Route | null {
  if (target.kind !== 'routing') return decideRoute({ target, threadCaseId: null, taggedCaseId: null });
  const threadCaseId = caseOfThread(db, domain, msg);
  const taggedCaseId = threadCaseId === null ? caseOfSubjectTag(db, msg) : null;
  return decideRoute({ target, threadCaseId, taggedCaseId });
}
