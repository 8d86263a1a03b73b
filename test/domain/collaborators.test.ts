// SPEC §2.7: collaborators of a case — the limit, the contact, who may change them, the
// active-contact indicator.
import { describe, expect, it } from 'vitest';
import {
  MAX_COLLABORATORS,
  checkNewCollaborator,
  isActiveContact,
  mayChangeCollaborators,
  type Actor,
  type CaseParties,
} from '../../src/domain/collaborators.js';

const theCase: CaseParties = { number: '00001001', contactEmail: 'ann@acme.example', accountId: 7 };

const addresses = (n: number): string[] => Array.from({ length: n }, (_, i) => `c${i + 1}@elsewhere.example`);

function person(email: string, contact: { accountId: number | null; helpAdmin: boolean; active: boolean } | null): Actor {
  return { kind: 'person', email, contact };
}

describe('at most 20 collaborators per case', () => {
  it('is 20', () => {
    expect(MAX_COLLABORATORS).toBe(20);
  });

  it('accepts the 20th collaborator', () => {
    expect(checkNewCollaborator(theCase, addresses(19), 'twentieth@elsewhere.example')).toEqual({ ok: true });
  });

  it('refuses the 21st with a reason that names the case and the limit', () => {
    const check = checkNewCollaborator(theCase, addresses(20), 'one-too-many@elsewhere.example');
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.reason).toMatch(/case 00001001 already has 20 collaborators/);
      expect(check.reason).toMatch(/remove one first/);
    }
  });

  it('accepts the first collaborator', () => {
    expect(checkNewCollaborator(theCase, [], 'bob@acme.example')).toEqual({ ok: true });
  });
});

describe('the case contact is not a collaborator of its own case', () => {
  it('refuses the contact\'s address', () => {
    const check = checkNewCollaborator(theCase, [], 'ann@acme.example');
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(/is the contact of case 00001001/);
  });

  it('refuses it in another letter case and with surrounding spaces', () => {
    expect(checkNewCollaborator(theCase, [], 'Ann@ACME.example').ok).toBe(false);
    expect(checkNewCollaborator(theCase, [], ' ann@acme.example ').ok).toBe(false);
  });

  it('refuses it also when the case is full (the clearer reason first)', () => {
    const check = checkNewCollaborator(theCase, addresses(20), 'ANN@acme.example');
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(/contact/);
  });

  it('accepts anyone on a case without a contact', () => {
    expect(checkNewCollaborator({ ...theCase, contactEmail: null }, [], 'ann@acme.example')).toEqual({ ok: true });
  });
});

describe('no address is a collaborator twice', () => {
  it('refuses an address already there, in any letter case', () => {
    const check = checkNewCollaborator(theCase, ['bob@acme.example'], 'BOB@Acme.Example');
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(/already a collaborator of case 00001001/);
  });
});

describe('who may add or remove collaborators', () => {
  const target = 'carol@elsewhere.example';

  it('the operator (no --as) may', () => {
    expect(mayChangeCollaborators({ kind: 'operator' }, theCase, target)).toEqual({ ok: true });
  });

  it('the case contact may, in any letter case, known as a contact or not', () => {
    expect(mayChangeCollaborators(person('ann@acme.example', { accountId: 7, helpAdmin: false, active: true }), theCase, target)).toEqual({ ok: true });
    expect(mayChangeCollaborators(person('ANN@Acme.example', null), theCase, target)).toEqual({ ok: true });
  });

  it('an active help admin of the case\'s account may, for anyone', () => {
    const admin = person('hal@acme.example', { accountId: 7, helpAdmin: true, active: true });
    expect(mayChangeCollaborators(admin, theCase, target)).toEqual({ ok: true });
    expect(mayChangeCollaborators(admin, theCase, 'hal@acme.example')).toEqual({ ok: true });
  });

  it('a help admin of another account may add or remove itself (any letter case), and no one else', () => {
    const other = person('Gus@Globex.example', { accountId: 8, helpAdmin: true, active: true });
    expect(mayChangeCollaborators(other, theCase, 'gus@globex.example')).toEqual({ ok: true });
    expect(mayChangeCollaborators(other, theCase, target).ok).toBe(false);
  });

  it('an inactive help admin is refused, also for itself', () => {
    const inactive = person('hal@acme.example', { accountId: 7, helpAdmin: true, active: false });
    expect(mayChangeCollaborators(inactive, theCase, target).ok).toBe(false);
    expect(mayChangeCollaborators(inactive, theCase, 'hal@acme.example').ok).toBe(false);
  });

  it('a collaborator is refused, also when it is a contact of the account', () => {
    expect(mayChangeCollaborators(person('bob@elsewhere.example', null), theCase, target).ok).toBe(false);
    expect(mayChangeCollaborators(person('bob@acme.example', { accountId: 7, helpAdmin: false, active: true }), theCase, target).ok).toBe(false);
  });

  it('an outsider is refused, also for itself, with a reason naming it, the case and who may', () => {
    const check = mayChangeCollaborators(person('mallory@evil.example', null), theCase, 'mallory@evil.example');
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.reason).toContain('mallory@evil.example');
      expect(check.reason).toContain('00001001');
      expect(check.reason).toMatch(/case contact, a help admin of its account or the operator/);
    }
  });

  it('a help admin without an account does not count as help admin of a case without an account', () => {
    const noAccount = { ...theCase, accountId: null };
    expect(mayChangeCollaborators(person('hal@acme.example', { accountId: null, helpAdmin: true, active: true }), noAccount, target).ok).toBe(false);
  });
});

describe('the active-contact indicator', () => {
  const members = [
    { email: 'Bob@Acme.example', accountId: 7, active: true },
    { email: 'old@acme.example', accountId: 7, active: false },
    { email: 'gus@globex.example', accountId: 8, active: true },
  ];

  it('is true for an active contact of the case\'s account, in any letter case', () => {
    expect(isActiveContact('bob@acme.example', 7, members)).toBe(true);
    expect(isActiveContact('BOB@ACME.EXAMPLE', 7, members)).toBe(true);
  });

  it('is false for an inactive contact, a contact of another account and an unknown address', () => {
    expect(isActiveContact('old@acme.example', 7, members)).toBe(false);
    expect(isActiveContact('gus@globex.example', 7, members)).toBe(false);
    expect(isActiveContact('stranger@elsewhere.example', 7, members)).toBe(false);
  });

  it('is false on a case without an account', () => {
    expect(isActiveContact('bob@acme.example', null, members)).toBe(false);
  });
});
