// Case actions shared by the CLI and the inbound pipeline: open (SPEC §2.1–2.6), close, reopen.
import { asc, eq, isNull, and, type SQL } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { accounts, assignmentRules, cases } from '../db/schema.js';
import {
  collaboratorEmails,
  contactAddress,
  findCaseByNumber,
  requireCase,
  findContactById,
  type CaseRow,
  type ContactRow,
} from '../db/cases.js';
import { enqueueNotification } from '../db/notifications.js';
import { caseDefaults, checkEligibility, initialStatus, parsePriority, parseStatus } from '../domain/caseRules.js';
import { chooseOwner } from '../domain/assignment.js';
import { participants } from '../domain/recipients.js';
import { caseNumberOf, newToken, threadRootId } from '../domain/mailNames.js';
import { conflict, invalid, notFound } from '../errors.js';
import { caseDetail, caseSummary, type CaseDetail, type CaseSummary } from './caseView.js';
import { requireContact } from './contacts.js';
import { getUserByEmail, requireUserByEmail } from './users.js';

export interface NewCase {
  subject: string;
  description?: string;
  /** Contact by id or email (CLI). */
  contact?: string | null;
  /** Contact already resolved (inbound). */
  contactRow?: ContactRow | null;
  accountId?: number | null;
  parent?: string | null;
  priority?: string | null;
  origin?: string | null;
  /** Explicit owner: a user's email (`--owner`, or the routing address's owner). */
  owner?: string | null;
  closed?: boolean;
  notify?: boolean;
  assign?: boolean;
  /** The creator (`--as`): a user's email. */
  as?: string | null;
  /** Sender of the mail that opened the case. */
  supplied?: { email: string; name: string } | null;
  /** Message-ID of the mail that opened the case, used as the thread root. */
  threadRoot?: string | null;
}

/** Opens a case with every rule of SPEC §2 and writes its "case created" notifications. */
export function createCase(db: Db, config: Config, input: NewCase, now = Date.now()): CaseDetail {
  const subject = input.subject.trim();
  if (subject === '') throw invalid('a case needs a subject; give --subject "..."');
  const contact = input.contactRow ?? (input.contact ? (findContactById(db, requireContact(db, input.contact).id) ?? null) : null);
  const eligible = checkEligibility(contact);
  if (!eligible.ok) throw invalid(eligible.reason);

  if (input.accountId != null && !db.orm.select().from(accounts).where(eq(accounts.id, input.accountId)).get()) {
    throw notFound(`no account with id ${input.accountId}; list accounts with "casegate account list"`);
  }
  const parent = input.parent ? requireCase(db, input.parent) : null;
  const priority = input.priority ? parsePriority(input.priority) : 'Medium';
  if (priority === null) throw invalid(`priority "${input.priority}" is not one of High, Medium, Low; give one of them`);
  const origin = input.origin?.trim() || 'CLI';
  const explicitOwner = input.owner ? requireUserByEmail(db, input.owner, 'owner') : null;
  const creator = input.as ? requireUserByEmail(db, input.as, 'creator (--as)') : null;

  const { accountId, division } = caseDefaults(contact, { accountId: input.accountId ?? null });
  const { status, closedWhenCreated } = initialStatus(input.closed === true);
  const rules = db.orm.select().from(assignmentRules).all().map((r) => ({ ...r, order: r.sortOrder }));
  const defaultOwner = config.defaultOwner ? getUserByEmail(db, config.defaultOwner) : undefined;
  const owner = chooseOwner({
    explicitOwnerId: explicitOwner?.id ?? null,
    assign: input.assign !== false,
    rules,
    facts: { subject, fromEmail: input.supplied?.email ?? contact?.email ?? null, priority, accountId },
    defaultOwnerId: defaultOwner?.id ?? null,
    creatorId: creator?.id ?? null,
  });
  if (owner.reason === 'unassigned' && input.assign !== false && config.defaultOwner && !defaultOwner) {
    throw notFound(
      `the default case owner ${config.defaultOwner} (CASEGATE_DEFAULT_OWNER) is not a user; create it with "casegate user create --email ${config.defaultOwner} --name NAME"`,
    );
  }

  const write = db.sqlite.transaction((): CaseRow => {
    const token = newToken();
    const inserted = db.orm
      .insert(cases)
      .values({
        number: `new-${token}`,
        subject,
        description: input.description ?? '',
        status,
        priority,
        origin,
        contactId: contact?.id ?? null,
        accountId,
        ownerId: owner.ownerId,
        parentId: parent?.id ?? null,
        division,
        closedWhenCreated,
        addressToken: token,
        threadRoot: input.threadRoot ?? `pending-${token}`,
        suppliedEmail: input.supplied?.email ?? null,
        suppliedName: input.supplied?.name ?? null,
        createdAt: now,
        updatedAt: now,
        closedAt: closedWhenCreated ? now : null,
      })
      .returning()
      .get();
    const number = caseNumberOf(inserted.id);
    const row = db.orm
      .update(cases)
      .set({ number, threadRoot: input.threadRoot ?? threadRootId(number, config.domain) })
      .where(eq(cases.id, inserted.id))
      .returning()
      .get();
    if (input.notify !== false) {
      const to = participants(contactAddress(db, row), collaboratorEmails(db, row.id));
      enqueueNotification(db, { caseId: row.id, commentId: null, kind: 'case-created', recipients: to }, config.domain, now);
    }
    return row;
  });
  return caseDetail(db, write(), config.domain);
}

export function showCase(db: Db, config: Config, number: string): CaseDetail {
  return caseDetail(db, requireCase(db, number), config.domain);
}

export function listCases(db: Db, config: Config, filter: { status?: string; unlinked?: boolean }): CaseSummary[] {
  const where: SQL[] = [];
  if (filter.status) {
    const status = parseStatus(filter.status);
    if (!status) throw invalid(`status "${filter.status}" is not one of New, Working, Escalated, Closed; give one of them`);
    where.push(eq(cases.status, status));
  }
  if (filter.unlinked) where.push(isNull(cases.contactId));
  return db.orm
    .select()
    .from(cases)
    .where(and(...where))
    .orderBy(asc(cases.id))
    .all()
    .map((row) => caseSummary(db, row, config.domain));
}

export function closeCase(db: Db, config: Config, number: string, now = Date.now()): CaseDetail {
  const row = requireCase(db, number);
  if (row.status === 'Closed') throw conflict(`case ${number} is already closed; reopen it with "casegate case reopen ${number}"`);
  db.orm.update(cases).set({ status: 'Closed', closedAt: now, updatedAt: now }).where(eq(cases.id, row.id)).run();
  return showCase(db, config, number);
}

/** Reopening sets status `Working` (SPEC §4 does the same for a reply to a closed case). */
export function reopenCase(db: Db, config: Config, number: string, now = Date.now()): CaseDetail {
  const row = requireCase(db, number);
  if (row.status !== 'Closed') throw conflict(`case ${number} is not closed (status ${row.status}); nothing to reopen`);
  db.orm.update(cases).set({ status: 'Working', closedAt: null, updatedAt: now }).where(eq(cases.id, row.id)).run();
  return showCase(db, config, number);
}

export function caseExists(db: Db, number: string): boolean {
  return findCaseByNumber(db, number) !== undefined;
}
