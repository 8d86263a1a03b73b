// Rule 5 of SPEC §2: who owns a new case. Rules are data; the first matching rule in order wins.
import { domainOf } from './address.js';

export interface AssignmentRule {
  id: number;
  order: number;
  ownerId: number;
  subjectContains: string | null;
  fromDomain: string | null;
  priority: string | null;
  accountId: number | null;
}

export interface CaseFacts {
  subject: string;
  fromEmail: string | null;
  priority: string;
  accountId: number | null;
}

/** Every criterion a rule sets must hold; text criteria match case-insensitively. */
export function ruleMatches(rule: AssignmentRule, facts: CaseFacts): boolean {
  if (rule.subjectContains !== null && !facts.subject.toLowerCase().includes(rule.subjectContains.toLowerCase())) {
    return false;
  }
  if (rule.fromDomain !== null) {
    if (facts.fromEmail === null) return false;
    const want = rule.fromDomain.toLowerCase().replace(/^@/, '');
    if (domainOf(facts.fromEmail) !== want) return false;
  }
  if (rule.priority !== null && rule.priority.toLowerCase() !== facts.priority.toLowerCase()) return false;
  if (rule.accountId !== null && rule.accountId !== facts.accountId) return false;
  return true;
}

export type OwnerChoice =
  | { ownerId: number; reason: 'explicit' | 'default-owner' | 'creator' }
  | { ownerId: number; reason: 'rule'; ruleId: number }
  | { ownerId: null; reason: 'unassigned' };

export interface OwnerInput {
  explicitOwnerId: number | null;
  assign: boolean;
  rules: readonly AssignmentRule[];
  facts: CaseFacts;
  defaultOwnerId: number | null;
  creatorId: number | null;
}

/**
 * An explicit owner wins. With assignment rules on, the first matching rule (by order, then id),
 * else the default case owner. With rules off, the creator. Without any of these: unassigned.
 */
export function chooseOwner(input: OwnerInput): OwnerChoice {
  if (input.explicitOwnerId !== null) return { ownerId: input.explicitOwnerId, reason: 'explicit' };
  if (input.assign) {
    const ordered = [...input.rules].sort((a, b) => a.order - b.order || a.id - b.id);
    const rule = ordered.find((r) => ruleMatches(r, input.facts));
    if (rule) return { ownerId: rule.ownerId, reason: 'rule', ruleId: rule.id };
    if (input.defaultOwnerId !== null) return { ownerId: input.defaultOwnerId, reason: 'default-owner' };
    return { ownerId: null, reason: 'unassigned' };
  }
  if (input.creatorId !== null) return { ownerId: input.creatorId, reason: 'creator' };
  return { ownerId: null, reason: 'unassigned' };
}
