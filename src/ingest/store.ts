// Db stage: a reply becomes a comment with its attachments; mail to a routing address opens a
// case (SPEC §3 contact matching, *create contacts*). Runs inside the message's transaction.
import { eq } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { contacts, routingAddresses } from '../db/schema.js';
import { contactsByEmail, findCaseById, findContactById, findUserById, type CaseRow, type ContactRow } from '../db/cases.js';
import { createCase } from '../admin/cases.js';
import { recordComment } from '../admin/comments.js';
import { checkEligibility } from '../domain/caseRules.js';
import { contactFromSender, matchContact } from '../domain/contacts.js';
import { normalizeEmail } from '../domain/address.js';
import { answer, type Answer } from '../domain/refusal.js';
import { CasegateError } from '../errors.js';
import { linkInboundComment } from './log.js';
import type { MessageFacts } from './facts.js';

export function storeReply(db: Db, config: Config, row: CaseRow, f: MessageFacts, inboundId: number, now: number): void {
  const from = f.msg.from;
  const commentId = recordComment(
    db,
    config,
    row,
    {
      authorEmail: from?.address ?? f.envelope.mailFrom ?? 'unknown',
      authorName: from?.name || null,
      body: f.body,
      fullBody: f.fullBody,
      source: 'email',
      internal: false,
      inboundId,
      attachments: f.msg.attachments,
    },
    now,
  );
  linkInboundComment(db, inboundId, row.id, commentId);
}

export function reopenForReply(db: Db, row: CaseRow, now: number): void {
  db.sqlite.prepare("UPDATE cases SET status = 'Working', closed_at = NULL, updated_at = ? WHERE id = ?").run(now, row.id);
}

export type Opened = { ok: true; row: CaseRow } | { ok: false; answer: Answer };

/**
 * Opens a case from mail: on a routing address with its defaults, or as the follow-up child of a
 * closed case (`parent`). The sender is matched to a contact; none and *create contacts* on: one is made.
 */
export function openCaseFromMail(
  db: Db,
  config: Config,
  f: MessageFacts,
  routingId: number | null,
  now: number,
  parent?: CaseRow,
): Opened {
  try {
    return { ok: true, row: db.sqlite.transaction(() => openCase(db, config, f, routingId, now, parent))() };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, answer: err.answer };
    if (err instanceof CasegateError && err.kind === 'invalid') {
      return { ok: false, answer: answer(550, '5.7.1', err.message) };
    }
    if (err instanceof CasegateError) return { ok: false, answer: answer(451, '4.3.5', `${err.message} (try again later)`) };
    throw err;
  }
}

class Refused extends Error {
  constructor(readonly answer: Answer) {
    super(answer.text);
  }
}

/** Runs in its own savepoint: a refusal after the contact was made leaves nothing behind. */
function openCase(db: Db, config: Config, f: MessageFacts, routingId: number | null, now: number, parent?: CaseRow): CaseRow {
  const from = f.msg.from;
  if (from === null) throw new Refused(answer(550, '5.1.7', 'message has no From address; a case needs a sender to answer to'));
  const routing = routingId === null ? undefined : db.orm.select().from(routingAddresses).where(eq(routingAddresses.id, routingId)).get();
  let contact: ContactRow | null = parent?.contactId ? (findContactById(db, parent.contactId) ?? null) : null;
  if (!parent) {
    const match = matchContact(from.address, contactsByEmail(db, from.address));
    if (match.kind === 'linked') contact = match.contact;
    if (match.kind === 'none' && routing?.createContacts) {
      const made = contactFromSender(from);
      contact = db.orm
        .insert(contacts)
        .values({ ...made, emailLower: normalizeEmail(made.email), createdAt: now })
        .returning()
        .get();
    }
  }
  const eligible = checkEligibility(contact);
  if (!eligible.ok) throw new Refused(answer(550, '5.7.1', eligible.reason));
  const owner = routing?.ownerId ? findUserById(db, routing.ownerId)?.email : undefined;
  const detail = createCase(
    db,
    config,
    {
      subject: f.msg.subject.trim() || '(no subject)',
      description: f.body,
      contactRow: contact,
      priority: routing?.priority ?? parent?.priority ?? 'Medium',
      origin: routing?.origin ?? 'Email',
      owner: owner ?? null,
      notify: routing ? routing.notify : true,
      parent: parent?.number ?? null,
      supplied: contact ? null : { email: from.address, name: from.name },
      threadRoot: f.msg.messageId,
    },
    now,
  );
  const row = findCaseById(db, detail.id);
  if (!row) throw new Error(`case ${detail.number} vanished after creation`);
  return row;
}
