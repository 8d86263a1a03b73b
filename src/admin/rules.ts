// Assignment rules (SPEC §2.5): who owns a new case that has no explicit owner. Rules are kept in
// order; the first one whose every criterion holds wins (src/domain/assignment.ts decides).
import { mapInTurn, type Tx } from '../db/engine.js';
import { allRules, deleteRule, insertRule, ruleById, type RuleRow } from '../db/rules.js';
import { userById } from '../db/users.js';
import { isDomainName } from '../domain/address.js';
import type { Priority } from '../domain/caseRules.js';
import { parseId } from '../domain/ids.js';
import { invalid, notFound } from '../errors.js';
import { requireAccount } from './accounts.js';
import { requirePriority } from './input.js';
import { requireUserByEmail } from './users.js';

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

async function ruleRecord(tx: Tx, row: RuleRow): Promise<RuleRecord> {
  return {
    id: row.id,
    order: row.sortOrder,
    owner: (await userById(tx, row.ownerId))?.email ?? `user ${row.ownerId}`,
    subjectContains: row.subjectContains,
    fromDomain: row.fromDomain,
    priority: row.priority as Priority | null,
    account: row.accountId,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

function positiveInteger(value: number | string, what: string, example: string): number {
  const n = parseId(value);
  if (n === null) throw invalid(`${what} "${String(value).trim()}" is not a whole number of 1 or more; ${example}`);
  return n;
}

function checkDomain(value: string): string {
  const domain = value.trim().toLowerCase().replace(/^@/, '');
  if (!isDomainName(domain)) {
    throw invalid(`--from-domain "${value}" is not a domain name; give the part after the @, e.g. example.com`);
  }
  return domain;
}

export async function addRule(tx: Tx, input: NewRule, now = Date.now()): Promise<RuleRecord> {
  const owner = await requireUserByEmail(tx, input.owner, 'owner');
  const subjectContains = input.subjectContains == null ? null : input.subjectContains.trim();
  if (subjectContains === '') throw invalid('--subject-contains is empty; give the text to look for in the subject');
  const fromDomain = input.fromDomain == null ? null : checkDomain(input.fromDomain);
  const priority = input.priority == null ? null : requirePriority(input.priority);
  const accountId = input.account == null ? null : (await requireAccount(tx, input.account)).id;
  if (subjectContains === null && fromDomain === null && priority === null && accountId === null) {
    throw invalid(
      'a rule needs at least one criterion; give --subject-contains, --from-domain, --priority or --account (cases no rule matches go to CASEGATE_DEFAULT_OWNER)',
    );
  }
  const wanted = input.order == null ? null : positiveInteger(input.order, '--order', 'e.g. --order 1 puts the rule first');
  return await ruleRecord(tx, await insertRule(tx, { ownerId: owner.id, subjectContains, fromDomain, priority, accountId }, wanted, now));
}

/** Every rule, in the order they are tried. */
export async function listRules(tx: Tx): Promise<RuleRecord[]> {
  return mapInTurn(await allRules(tx), (row) => ruleRecord(tx, row));
}

/** Removes a rule and returns what it was; the order of the others is kept. */
export async function removeRule(tx: Tx, id: number | string): Promise<RuleRecord> {
  const ruleId = positiveInteger(id, 'rule id', 'give the ID shown by "casegate rule list"');
  const row = await ruleById(tx, ruleId);
  if (!row) throw notFound(`no rule with id ${ruleId}; list rules with "casegate rule list"`);
  const record = await ruleRecord(tx, row);
  await deleteRule(tx, ruleId);
  return record;
}
