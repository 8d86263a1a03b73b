// SPEC §4 *Sender trust*: a reply through an address issued to one person is theirs only, while
// they take part (src/domain/recipients.ts isIssuedSender).
import { describe, expect, it } from 'vitest';
import { isIssuedSender, type IssuedTo } from '../../src/domain/recipients.js';

const ann: IssuedTo = { kind: 'contact', address: 'ann@acme.example', live: true };
const sam: IssuedTo = { kind: 'owner', address: 'sam@support.example', live: true };
const now = { participants: ['Ann@Acme.example', 'bob@acme.example'], ownerEmail: 'Sam@Support.example' };

describe('isIssuedSender', () => {
  it('the participant it was issued to, compared case-insensitively', () => {
    expect(isIssuedSender('ANN@acme.example', ann, now)).toBe(true);
  });
  it('anyone else, also another participant, is not', () => {
    expect(isIssuedSender('bob@acme.example', ann, now)).toBe(false);
    expect(isIssuedSender('eve@evil.example', ann, now)).toBe(false);
  });
  it('not once they stopped taking part, or the address was retired', () => {
    expect(isIssuedSender('ann@acme.example', ann, { ...now, participants: ['bob@acme.example'] })).toBe(false);
    expect(isIssuedSender('ann@acme.example', { ...ann, live: false }, now)).toBe(false);
  });
  it('an owner address: the owner while they own the case, and nobody else', () => {
    expect(isIssuedSender('sam@support.example', sam, now)).toBe(true);
    expect(isIssuedSender('sam@support.example', sam, { ...now, ownerEmail: 'tim@support.example' })).toBe(false);
    expect(isIssuedSender('sam@support.example', sam, { ...now, ownerEmail: null })).toBe(false);
    expect(isIssuedSender('ann@acme.example', sam, now)).toBe(false);
  });
});
