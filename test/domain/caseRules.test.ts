// SPEC §2.1–2.4 (eligibility, account and division defaults, parent case, closed when created) and
// the names a case gets (number, case address, subject tag; src/domain/mailNames.ts).
import { describe, expect, it } from 'vitest';
import {
  caseDefaults,
  checkEligibility,
  initialStatus,
  parsePriority,
  parseStatus,
  type ContactFacts,
} from '../../src/domain/caseRules.js';
import {
  bounceAddress,
  bounceTokenOf,
  caseAddress,
  caseNumberInSubject,
  caseNumberOf,
  caseSubjectTag,
  caseTokenOf,
  newToken,
} from '../../src/domain/mailNames.js';

const ann: ContactFacts = { id: 1, email: 'ann@acme.example', accountId: 7, division: 'EMEA', eligible: true };

describe('eligibility: a case for a contact not eligible for support is refused', () => {
  it('accepts an eligible contact', () => {
    expect(checkEligibility(ann)).toBeNull();
  });

  it('refuses a contact that is not eligible (the CLI and inbound tests pin the sentence)', () => {
    expect(checkEligibility({ ...ann, eligible: false })).toBe('not-eligible');
  });

  it('accepts a case without a contact', () => {
    expect(checkEligibility(null)).toBeNull();
  });
});

describe('account and division defaults: both default to the contact\'s', () => {
  it('takes the account and division of the contact', () => {
    expect(caseDefaults(ann, {})).toEqual({ accountId: 7, division: 'EMEA' });
  });

  it('keeps an explicit account and division over the contact\'s', () => {
    expect(caseDefaults(ann, { accountId: 9, division: 'APAC' })).toEqual({ accountId: 9, division: 'APAC' });
  });

  it('treats an explicit null as "not given"', () => {
    expect(caseDefaults(ann, { accountId: null, division: null })).toEqual({ accountId: 7, division: 'EMEA' });
  });

  it('has neither without a contact and without explicit values', () => {
    expect(caseDefaults(null, {})).toEqual({ accountId: null, division: null });
  });

  it('takes an explicit account for a case without a contact', () => {
    expect(caseDefaults(null, { accountId: 3 })).toEqual({ accountId: 3, division: null });
  });

  it('has no account when the contact has none', () => {
    expect(caseDefaults({ ...ann, accountId: null, division: null }, {})).toEqual({ accountId: null, division: null });
  });
});

describe('closed when created: status Closed and closedWhenCreated = true', () => {
  it('opens a case created closed as Closed with closedWhenCreated', () => {
    expect(initialStatus(true)).toEqual({ status: 'Closed', closedWhenCreated: true });
  });

  it('opens any other case as New without closedWhenCreated', () => {
    expect(initialStatus(false)).toEqual({ status: 'New', closedWhenCreated: false });
  });
});

describe('priority and status names are read in any letter case', () => {
  it('reads priorities', () => {
    expect(parsePriority('high')).toBe('High');
    expect(parsePriority(' LOW ')).toBe('Low');
    expect(parsePriority('Medium')).toBe('Medium');
    expect(parsePriority('urgent')).toBeNull();
  });

  it('reads statuses', () => {
    expect(parseStatus('closed')).toBe('Closed');
    expect(parseStatus('ESCALATED')).toBe('Escalated');
    expect(parseStatus('open')).toBeNull();
  });
});

describe('case numbers: 8 digits, from 00001001', () => {
  it('numbers the first case 00001001 and the next 00001002', () => {
    expect(caseNumberOf(1)).toBe('00001001');
    expect(caseNumberOf(2)).toBe('00001002');
  });

  it('keeps 8 digits for later cases', () => {
    expect(caseNumberOf(98_999)).toBe('00099999');
    expect(caseNumberOf(1_000_000)).toMatch(/^\d{8}$/);
  });
});

describe('case address: case+<token>@<domain>, token of at least 20 lowercase letters and digits', () => {
  it('makes tokens of 24 lowercase letters and digits', () => {
    for (let i = 0; i < 200; i++) expect(newToken()).toMatch(/^[a-z0-9]{24}$/);
  });

  it('never repeats a token in many draws', () => {
    const seen = new Set(Array.from({ length: 5000 }, () => newToken()));
    expect(seen.size).toBe(5000);
  });

  it('reads back the token of the address it makes', () => {
    const token = newToken();
    const address = caseAddress(token, 'cases.localhost');
    expect(address).toBe(`case+${token}@cases.localhost`);
    expect(caseTokenOf(address, 'cases.localhost')).toBe(token);
  });

  it('recognises an address a relay upper-cased, and a domain configured in capitals', () => {
    const token = newToken();
    expect(caseTokenOf(caseAddress(token, 'cases.localhost').toUpperCase(), 'cases.localhost')).toBe(token);
    expect(caseTokenOf(caseAddress(token, 'cases.localhost'), 'Cases.Localhost')).toBe(token);
  });

  it('ignores surrounding whitespace', () => {
    const token = newToken();
    expect(caseTokenOf(`  case+${token}@cases.localhost `, 'cases.localhost')).toBe(token);
  });

  it('refuses another domain, a short token, other characters, and other mailboxes', () => {
    const token = newToken();
    expect(caseTokenOf(`case+${token}@other.example`, 'cases.localhost')).toBeNull();
    expect(caseTokenOf(`case+${token}@sub.cases.localhost`, 'cases.localhost')).toBeNull();
    expect(caseTokenOf('case+abcdefghij0123456789@cases.localhost', 'cases.localhost')).toBe('abcdefghij0123456789');
    expect(caseTokenOf('case+abcdefghij012345678@cases.localhost', 'cases.localhost')).toBeNull();
    expect(caseTokenOf('case+abcdefghij_0123456789@cases.localhost', 'cases.localhost')).toBeNull();
    expect(caseTokenOf(`support@cases.localhost`, 'cases.localhost')).toBeNull();
    expect(caseTokenOf(bounceAddress(token, 'cases.localhost'), 'cases.localhost')).toBeNull();
  });
});

describe('bounce address: bounce+<token>@<domain>, one per outbound message', () => {
  it('reads back the token of the address it makes, in any letter case', () => {
    const token = newToken();
    const address = bounceAddress(token, 'cases.localhost');
    expect(address).toBe(`bounce+${token}@cases.localhost`);
    expect(bounceTokenOf(address, 'cases.localhost')).toBe(token);
    expect(bounceTokenOf(address.toUpperCase(), 'cases.localhost')).toBe(token);
  });

  it('refuses a case address, another domain and a short token', () => {
    const token = newToken();
    expect(bounceTokenOf(caseAddress(token, 'cases.localhost'), 'cases.localhost')).toBeNull();
    expect(bounceTokenOf(bounceAddress(token, 'other.example'), 'cases.localhost')).toBeNull();
    expect(bounceTokenOf('bounce+abc@cases.localhost', 'cases.localhost')).toBeNull();
  });
});

describe('subject tag: [Case 00001001]', () => {
  it('makes the tag of a case number', () => {
    expect(caseSubjectTag('00001001')).toBe('[Case 00001001]');
  });

  it('finds the case number of a tag anywhere in a subject, in any letter case', () => {
    expect(caseNumberInSubject('Re: [Case 00001001] Printer jammed')).toBe('00001001');
    expect(caseNumberInSubject('RE: AW: printer [case 00001002]')).toBe('00001002');
    expect(caseNumberInSubject(`Fwd: ${caseSubjectTag('00004711')} x`)).toBe('00004711');
  });

  it('finds nothing without a well-formed tag', () => {
    expect(caseNumberInSubject('Case 00001001')).toBeNull();
    expect(caseNumberInSubject('[Case 1001]')).toBeNull();
    expect(caseNumberInSubject('[Case 000010011]')).toBeNull();
    expect(caseNumberInSubject('Printer jammed')).toBeNull();
  });
});
