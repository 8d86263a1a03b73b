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
    expect(checkNewCollaborator(theCase, addresses(19), 'twentieth@elsewhere.example')).toBeNull();
  });

  it('refuses the 21st (the CLI tests pin the sentence: it names the case and the limit)', () => {
    expect(checkNewCollaborator(theCase, addresses(20), 'one-too-many@elsewhere.example')).toBe('limit-reached');
  });

  it('accepts the first collaborator', () => {
    expect(checkNewCollaborator(theCase, [], 'bob@acme.example')).toBeNull();
  });
});

describe('the case contact is not a collaborator of its own case', () => {
  it('refuses the contact\'s address', () => {
    expect(checkNewCollaborator(theCase, [], 'ann@acme.example')).toBe('is-contact');
  });

  it('refuses it in another letter case and with surrounding spaces', () => {
    expect(checkNewCollaborator(theCase, [], 'Ann@ACME.example')).toBe('is-contact');
    expect(checkNewCollaborator(theCase, [], ' ann@acme.example ')).toBe('is-contact');
  });

  it('refuses it also when the case is full (the clearer reason first)', () => {
    expect(checkNewCollaborator(theCase, addresses(20), 'ANN@acme.example')).toBe('is-contact');
  });

  it('accepts anyone on a case without a contact', () => {
    expect(checkNewCollaborator({ ...theCase, contactEmail: null }, [], 'ann@acme.example')).toBeNull();
  });
});

describe('no address is a collaborator twice', () => {
  it('refuses an address already there, in any letter case', () => {
    expect(checkNewCollaborator(theCase, ['bob@acme.example'], 'BOB@Acme.Example')).toBe('already-collaborator');
  });
});

describe('who may add or remove collaborators', () => {
  const target = 'carol@elsewhere.example';

  it('the operator (no --as) may', () => {
    expect(mayChangeCollaborators({ kind: 'operator' }, theCase, target)).toBe(true);
  });

  it('the case contact may, in any letter case, known as a contact or not', () => {
    expect(mayChangeCollaborators(person('ann@acme.example', { accountId: 7, helpAdmin: false, active: true }), theCase, target)).toBe(true);
    expect(mayChangeCollaborators(person('ANN@Acme.example', null), theCase, target)).toBe(true);
  });

  it('an active help admin of the case\'s account may, for anyone', () => {
    const admin = person('hal@acme.example', { accountId: 7, helpAdmin: true, active: true });
    expect(mayChangeCollaborators(admin, theCase, target)).toBe(true);
    expect(mayChangeCollaborators(admin, theCase, 'hal@acme.example')).toBe(true);
  });

  it('a help admin of another account may add or remove itself (any letter case), and no one else', () => {
    const other = person('Gus@Globex.example', { accountId: 8, helpAdmin: true, active: true });
    expect(mayChangeCollaborators(other, theCase, 'gus@globex.example')).toBe(true);
    expect(mayChangeCollaborators(other, theCase, target)).toBe(false);
  });

  it('an inactive help admin is refused, also for itself', () => {
    const inactive = person('hal@acme.example', { accountId: 7, helpAdmin: true, active: false });
    expect(mayChangeCollaborators(inactive, theCase, target)).toBe(false);
    expect(mayChangeCollaborators(inactive, theCase, 'hal@acme.example')).toBe(false);
  });

  it('a collaborator is refused, also when it is a contact of the account', () => {
    expect(mayChangeCollaborators(person('bob@elsewhere.example', null), theCase, target)).toBe(false);
    expect(mayChangeCollaborators(person('bob@acme.example', { accountId: 7, helpAdmin: false, active: true }), theCase, target)).toBe(false);
  });

  it('an outsider is refused, also for itself (the CLI tests pin the sentence naming who may)', () => {
    expect(mayChangeCollaborators(person('mallory@evil.example', null), theCase, 'mallory@evil.example')).toBe(false);
  });

  it('a help admin without an account does not count as help admin of a case without an account', () => {
    const noAccount = { ...theCase, accountId: null };
    expect(mayChangeCollaborators(person('hal@acme.example', { accountId: null, helpAdmin: true, active: true }), noAccount, target)).toBe(false);
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
