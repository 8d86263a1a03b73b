// Plain addresses (src/domain/address.ts): what isEmailAddress takes, and why it refuses the rest.
import { describe, expect, it } from 'vitest';
import { addressProblem, isEmailAddress } from '../../src/domain/address.js';

describe('isEmailAddress: a plain addr-spec', () => {
  it('takes dot-atoms at a domain name, and localhost', () => {
    for (const a of ['ann@acme.example', 'ann.archer+case@mail.acme.example', "o'brien@x.example", 'root@localhost']) expect(isEmailAddress(a), a).toBe(true);
  });

  it('refuses an encoded word, which is a display name\'s encoding, saying so', () => {
    for (const a of ['=?utf-8?q?a?=@evil.test', '=?UTF-8?B?YW5u?=@acme.example', 'x=?iso-8859-1?q?=E9?=@acme.example']) {
      expect(isEmailAddress(a), a).toBe(false);
      expect(addressProblem(a), a).toMatch(/encoded word/);
    }
    // An = or a ? alone is still a plain address character.
    expect(isEmailAddress('a=b?c@acme.example')).toBe(true);
  });

  it('refuses names, quotes, spaces, controls, bad domains and lengths, each with a reason', () => {
    for (const a of ['Ann <ann@acme.example>', '"ann"@acme.example', 'ann @acme.example', 'ann\u0000@acme.example', 'ann@acme', 'ann@-acme.example', '@acme.example', 'ann@', `${'a'.repeat(65)}@acme.example`, `a@${'b'.repeat(250)}.example`]) {
      expect(isEmailAddress(a), a).toBe(false);
      expect(addressProblem(a), a).toEqual(expect.any(String));
    }
  });
});
