// SPEC §2.5: who owns a new case. Rules are data; the first matching rule in order wins.
import { describe, expect, it } from 'vitest';
import { chooseOwner, ruleMatches, type AssignmentRule, type CaseFacts, type OwnerInput } from '../../src/domain/assignment.js';

const facts: CaseFacts = { subject: 'Invoice 42 is wrong', fromEmail: 'ann@acme.example', priority: 'Medium', accountId: 7 };

function rule(id: number, order: number, ownerId: number, criteria: Partial<AssignmentRule>): AssignmentRule {
  return { id, order, ownerId, subjectContains: null, fromDomain: null, priority: null, accountId: null, ...criteria };
}

function input(over: Partial<OwnerInput>): OwnerInput {
  return { explicitOwnerId: null, assign: true, rules: [], facts, defaultOwnerId: null, creatorId: null, ...over };
}

const invoiceRule = rule(1, 1, 101, { subjectContains: 'invoice' });

describe('explicit owner wins', () => {
  it('wins over a matching rule, the default owner and the creator', () => {
    expect(chooseOwner(input({ explicitOwnerId: 5, rules: [invoiceRule], defaultOwnerId: 6, creatorId: 7 }))).toEqual({
      ownerId: 5,
      reason: 'explicit',
    });
  });

  it('wins with assignment rules off too', () => {
    expect(chooseOwner(input({ explicitOwnerId: 5, assign: false, creatorId: 7 }))).toEqual({ ownerId: 5, reason: 'explicit' });
  });
});

describe('first matching rule in order', () => {
  it('gives the case to the owner of the first matching rule by order, not by position in the list', () => {
    const rules = [rule(1, 3, 103, { subjectContains: 'invoice' }), rule(2, 1, 101, { subjectContains: 'wrong' }), rule(3, 2, 102, { subjectContains: '42' })];
    expect(chooseOwner(input({ rules, defaultOwnerId: 9 }))).toEqual({ ownerId: 101, reason: 'rule', ruleId: 2 });
  });

  it('skips earlier rules that do not match', () => {
    const rules = [rule(1, 1, 101, { subjectContains: 'printer' }), rule(2, 2, 102, { subjectContains: 'invoice' })];
    expect(chooseOwner(input({ rules }))).toEqual({ ownerId: 102, reason: 'rule', ruleId: 2 });
  });

  it('breaks a tie of order by the older rule (lower id)', () => {
    const rules = [rule(8, 1, 108, { subjectContains: 'invoice' }), rule(4, 1, 104, { subjectContains: 'invoice' })];
    expect(chooseOwner(input({ rules }))).toMatchObject({ ownerId: 104, ruleId: 4 });
  });

  it('needs every criterion of a rule to hold', () => {
    const both = rule(1, 1, 101, { subjectContains: 'invoice', priority: 'High' });
    expect(ruleMatches(both, facts)).toBe(false);
    expect(ruleMatches(both, { ...facts, priority: 'High' })).toBe(true);
    const account = rule(2, 1, 102, { subjectContains: 'invoice', accountId: 8 });
    expect(ruleMatches(account, facts)).toBe(false);
    expect(ruleMatches(account, { ...facts, accountId: 8 })).toBe(true);
    expect(ruleMatches(account, { ...facts, accountId: null })).toBe(false);
  });

  it('does not reorder the rules it is given', () => {
    const rules = [rule(1, 2, 101, {}), rule(2, 1, 102, {})];
    chooseOwner(input({ rules }));
    expect(rules.map((r) => r.id)).toEqual([1, 2]);
  });
});

describe('text criteria match case-insensitively', () => {
  it('matches subject text in any letter case', () => {
    expect(ruleMatches(rule(1, 1, 1, { subjectContains: 'INVOICE' }), facts)).toBe(true);
    expect(ruleMatches(rule(1, 1, 1, { subjectContains: 'invoice' }), { ...facts, subject: 'INVOICE missing' })).toBe(true);
    expect(ruleMatches(rule(1, 1, 1, { subjectContains: 'iS WrOnG' }), facts)).toBe(true);
  });

  it('does not match text the subject does not contain', () => {
    expect(ruleMatches(rule(1, 1, 1, { subjectContains: 'refund' }), facts)).toBe(false);
  });

  it('matches priority in any letter case', () => {
    expect(ruleMatches(rule(1, 1, 1, { priority: 'high' }), { ...facts, priority: 'High' })).toBe(true);
    expect(ruleMatches(rule(1, 1, 1, { priority: 'low' }), { ...facts, priority: 'High' })).toBe(false);
  });

  it('picks the rule through chooseOwner whatever the letter case', () => {
    expect(chooseOwner(input({ rules: [rule(1, 1, 101, { subjectContains: 'InVoIcE' })] }))).toMatchObject({ ownerId: 101, reason: 'rule' });
  });
});

describe('from-domain', () => {
  it('matches the domain of the sender in any letter case, with or without a leading @', () => {
    expect(ruleMatches(rule(1, 1, 1, { fromDomain: 'acme.example' }), facts)).toBe(true);
    expect(ruleMatches(rule(1, 1, 1, { fromDomain: 'ACME.Example' }), facts)).toBe(true);
    expect(ruleMatches(rule(1, 1, 1, { fromDomain: '@acme.example' }), facts)).toBe(true);
    expect(ruleMatches(rule(1, 1, 1, { fromDomain: 'acme.example' }), { ...facts, fromEmail: 'Ann@ACME.EXAMPLE' })).toBe(true);
  });

  it('does not match another domain, a parent domain or a look-alike', () => {
    expect(ruleMatches(rule(1, 1, 1, { fromDomain: 'globex.example' }), facts)).toBe(false);
    expect(ruleMatches(rule(1, 1, 1, { fromDomain: 'acme.example' }), { ...facts, fromEmail: 'ann@notacme.example' })).toBe(false);
    expect(ruleMatches(rule(1, 1, 1, { fromDomain: 'example' }), facts)).toBe(false);
  });

  it('does not match a case without a sender', () => {
    expect(ruleMatches(rule(1, 1, 1, { fromDomain: 'acme.example' }), { ...facts, fromEmail: null })).toBe(false);
  });
});

describe('default case owner when no rule matches', () => {
  it('gives the case to the default owner', () => {
    expect(chooseOwner(input({ rules: [rule(1, 1, 101, { subjectContains: 'printer' })], defaultOwnerId: 9 }))).toEqual({
      ownerId: 9,
      reason: 'default-owner',
    });
  });

  it('gives the case to the default owner when there are no rules, not to the creator', () => {
    expect(chooseOwner(input({ defaultOwnerId: 9, creatorId: 7 }))).toEqual({ ownerId: 9, reason: 'default-owner' });
  });
});

describe('creator when assignment rules are off', () => {
  it('gives the case to the creator, ignoring matching rules and the default owner', () => {
    expect(chooseOwner(input({ assign: false, rules: [invoiceRule], defaultOwnerId: 9, creatorId: 7 }))).toEqual({
      ownerId: 7,
      reason: 'creator',
    });
  });
});

describe('unassigned', () => {
  it('leaves the case without owner when no rule matches and there is no default owner', () => {
    expect(chooseOwner(input({ rules: [rule(1, 1, 101, { subjectContains: 'printer' })] }))).toEqual({ ownerId: null, reason: 'unassigned' });
  });

  it('leaves the case without owner when rules are off and there is no creator', () => {
    expect(chooseOwner(input({ assign: false, rules: [invoiceRule], defaultOwnerId: 9 }))).toEqual({ ownerId: null, reason: 'unassigned' });
  });
});
