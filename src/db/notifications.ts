// Writing notifications: one outbox row per recipient, in the caller's transaction. A recipient
// whose address hard-bounced gets a `held` row instead of a `pending` one.
import { statementCache, type Db } from './client.js';
import { newMessageToken, outboundMessageId } from '../domain/mailNames.js';
import { normalizeEmail } from '../domain/address.js';

export type NotificationKind = 'case-created' | 'comment' | 'history';

export interface Notification {
  caseId: number;
  commentId: number | null;
  kind: NotificationKind;
  recipients: readonly string[];
}

/** Prepared once per connection. */
const statementsOf = statementCache((db: Db) => {
  return {
    insert: db.sqlite.prepare(
      `INSERT INTO outbox (case_id, comment_id, kind, recipient, recipient_lower, token, message_id, status,
         attempts, next_attempt_at, last_error, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
    ),
    bounce: db.sqlite.prepare<[string], { status: string; diagnostic: string | null }>(
      'SELECT status, diagnostic FROM bounces WHERE address_lower = ? AND hard = 1',
    ),
  };
});

/** Writes the rows of one notification; returns their ids. Call inside the causing transaction. */
export function enqueueNotification(db: Db, n: Notification, domain: string, now: number): number[] {
  const s = statementsOf(db);
  const ids: number[] = [];
  for (const recipient of n.recipients) {
    const lower = normalizeEmail(recipient);
    const bounce = s.bounce.get(lower);
    const token = newMessageToken(now);
    const held = bounce !== undefined;
    const info = s.insert.run(
      n.caseId,
      n.commentId,
      n.kind,
      recipient,
      lower,
      token,
      outboundMessageId(token, domain),
      held ? 'held' : 'pending',
      now,
      held ? `held: ${recipient} hard-bounced (${bounce.status}${bounce.diagnostic ? ' ' + bounce.diagnostic : ''}); run "casegate outbox retry ID" once the address works` : null,
      now,
    );
    ids.push(Number(info.lastInsertRowid));
  }
  return ids;
}
