// RCPT stage: which recipients we take mail for (SPEC §4 "RCPT"). A recipient is a live case
// address, a routing address, or one of our bounce (VERP) addresses; other mailboxes of our domain
// are unknown (550 5.1.1) and other domains are not relayed (550 5.7.1).
import type { Config } from '../config.js';
import { statementCache, type Db } from '../db/client.js';
import { bounceTokenOf, caseTokenOf } from '../domain/mailNames.js';
import { domainOf, isEmailAddress, normalizeEmail } from '../domain/address.js';
import { answer, type Answer } from '../domain/refusal.js';
import type { Target } from '../domain/route.js';

export type RecipientCheck = { ok: true; target: Target } | { ok: false; answer: Answer };

/** Prepared once per connection. */
const statementsOf = statementCache((db: Db) => {
  const s = db.sqlite;
  return {
    caseByToken: s.prepare<[string], { id: number }>('SELECT id FROM cases WHERE address_token = ?'),
    routing: s.prepare<[string], { id: number }>('SELECT id FROM routing_addresses WHERE address_lower = ?'),
    outboxByToken: s.prepare<[string], { id: number }>('SELECT id FROM outbox WHERE token = ?'),
  };
});

export function checkRecipient(db: Db, config: Config, address: string): RecipientCheck {
  const s = statementsOf(db);
  const lower = normalizeEmail(address);
  if (!isEmailAddress(lower)) {
    return { ok: false, answer: answer(553, '5.1.3', `<${address}> is not a valid mailbox address`) };
  }
  const routing = s.routing.get(lower);
  if (routing) return { ok: true, target: { kind: 'routing', routingId: routing.id } };
  if (domainOf(lower) !== config.domain) {
    return {
      ok: false,
      answer: answer(550, '5.7.1', `relaying denied: <${address}> is not ours; casegate takes mail for ${config.domain} and its routing addresses only`),
    };
  }
  const caseToken = caseTokenOf(lower, config.domain);
  if (caseToken) {
    const row = s.caseByToken.get(caseToken);
    if (row) return { ok: true, target: { kind: 'case', caseId: row.id } };
  }
  const bounceToken = bounceTokenOf(lower, config.domain);
  if (bounceToken) {
    if (s.outboxByToken.get(bounceToken)) return { ok: true, target: { kind: 'bounce', token: bounceToken } };
  }
  return {
    ok: false,
    answer: answer(550, '5.1.1', `<${address}>: no such mailbox here; mail to it will not be processed`),
  };
}
