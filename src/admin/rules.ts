// Assignment rules (SPEC §2.5): who owns a new case that has no explicit owner. Rules are kept in
// order; the first one whose every criterion holds wins (src/domain/assignment.ts decides).
import { asc, eq, gte, max, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { assignmentRules } from '../db/schema.js';
import type { AssignmentRule } from '../domain/assignment.js';
import type { Priority } from '../domain/caseRules.js';
import { invalid, notFound } from '../errors.js';
import { requireAccount } from './accounts.js';
import { requirePriority } from './routing.js';
import { getUserById, requireUserByEmail } from './users.js';

export interface RuleRecord {
  id: number;
  order: number;
  /** Email of the user who gets the case. */
  owner: string;
  subjectContains: string | null;
  fromDomain: string | null;
  priority: Priority | null;
  /** Account id, or null. */
  account: number | null;
  createdAt: string;
}

export interface NewRule {
  /** A user's email. */
  owner: string;
  subjectContains?: string | null;
  fromDomain?: string | null;
  priority?: string | null;
  account?: number | string | null;
  /** Position; default after the last rule. A taken position moves that rule and later ones down. */
  order?: number | string | null;
}

type RuleRow = typeof assignmentRules.$inferSelect;

const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

function ruleRecord(db: Db, row: RuleRow): RuleRecord {
  return {
    id: row.id,
    order: row.sortOrder,
    owner: getUserById(db, row.ownerId)?.email ?? `user ${row.ownerId}`,
    subjectContains: row.subjectContains,
    fromDomain: row.fromDomain,
    priority: row.priority as Priority | null,
    account: row.accountId,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

function positiveInteger(value: number | string, what: string, example: string): number {
  const text = String(value).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || !Number.isSafeInteger(n)) {
    throw invalid(`${what} "${text}" is not a whole number of 1 or more; ${example}`);
  }
  return n;
}

function checkDomain(value: string): string {
  const domain = value.trim().toLowerCase().replace(/^@/, '');
  if (!DOMAIN.test(domain)) {
    throw invalid(`--from-domain "${value}" is not a domain name; give the part after the @, e.g. example.com`);
  }
  return domain;
}

export function addRule(db: Db, input: NewRule, now = Date.now()): RuleRecord {
  const owner = requireUserByEmail(db, input.owner, 'owner');
  const subjectContains = input.subjectContains == null ? null : input.subjectContains.trim();
  if (subjectContains === '') throw invalid('--subject-contains is empty; give the text to look for in the subject');
  const fromDomain = input.fromDomain == null ? null : checkDomain(input.fromDomain);
  const priority = input.priority == null ? null : requirePriority(input.priority);
  const accountId = input.account == null ? null : requireAccount(db, input.account).id;
  if (subjectContains === null && fromDomain === null && priority === null && accountId === null) {
    throw invalid(
      'a rule needs at least one criterion; give --subject-contains, --from-domain, --priority or --account (cases no rule matches go to CASEGATE_DEFAULT_OWNER)',
    );
  }
  const wanted = input.order == null ? null : positiveInteger(input.order, '--order', 'e.g. --order 1 puts the rule first');
  const write = db.sqlite.transaction((): RuleRow => {
    const last = db.orm.select({ n: max(assignmentRules.sortOrder) }).from(assignmentRules).get()?.n ?? 0;
    const order = wanted ?? last + 1;
    const taken = db.orm.select().from(assignmentRules).where(eq(assignmentRules.sortOrder, order)).get();
    if (taken) {
      db.orm
        .update(assignmentRules)
        .set({ sortOrder: sql`${assignmentRules.sortOrder} + 1` })
        .where(gte(assignmentRules.sortOrder, order))
        .run();
    }
    return db.orm
      .insert(assignmentRules)
      .values({ sortOrder: order, ownerId: owner.id, subjectContains, fromDomain, priority, accountId, createdAt: now })
      .returning()
      .get();
  });
  return ruleRecord(db, write());
}

/** Every rule, in the order they are tried. */
export function listRules(db: Db): RuleRecord[] {
  return ruleRows(db).map((row) => ruleRecord(db, row));
}

/** The rules as src/domain/assignment.ts takes them, in the order they are tried. */
export function loadAssignmentRules(db: Db): AssignmentRule[] {
  return ruleRows(db).map((r) => ({
    id: r.id,
    order: r.sortOrder,
    ownerId: r.ownerId,
    subjectContains: r.subjectContains,
    fromDomain: r.fromDomain,
    priority: r.priority,
    accountId: r.accountId,
  }));
}

function ruleRows(db: Db): RuleRow[] {
  return db.orm.select().from(assignmentRules).orderBy(asc(assignmentRules.sortOrder), asc(assignmentRules.id)).all();
}

/** Removes a rule and returns what it was; the order of the others is kept. */
export function removeRule(db: Db, id: number | string): RuleRecord {
  const ruleId = positiveInteger(id, 'rule id', 'give the ID shown by "casegate rule list"');
  const row = db.orm.select().from(assignmentRules).where(eq(assignmentRules.id, ruleId)).get();
  if (!row) throw notFound(`no rule with id ${ruleId}; list rules with "casegate rule list"`);
  const record = ruleRecord(db, row);
  db.orm.delete(assignmentRules).where(eq(assignmentRules.id, ruleId)).run();
  return record;
}
