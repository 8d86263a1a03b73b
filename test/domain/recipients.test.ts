// SPEC §2.6, §5: participants are the case contact and the collaborators; a public comment goes to
// every participant but its author; an internal one to nobody.
import { describe, expect, it } from 'vitest';
import { commentRecipients, isParticipant, knownAddress, participants } from '../../src/domain/recipients.js';

describe('participants: the case contact and the collaborators, once each', () => {
  it('lists the contact first, then the collaborators in order', () => {
    expect(participants('ann@acme.example', ['bob@acme.example', 'carol@elsewhere.example'])).toEqual([
      'ann@acme.example',
      'bob@acme.example',
      'carol@elsewhere.example',
    ]);
  });

  it('lists an address once, whatever its letter case, keeping the first spelling', () => {
    expect(participants('Ann@Acme.example', ['ann@acme.example', 'bob@acme.example', 'BOB@acme.example'])).toEqual([
      'Ann@Acme.example',
      'bob@acme.example',
    ]);
  });

  it('lists only the collaborators when the case has no contact', () => {
    expect(participants(null, ['bob@acme.example'])).toEqual(['bob@acme.example']);
    expect(participants(null, [])).toEqual([]);
  });

  it('tells whether an address is a participant, in any letter case', () => {
    expect(isParticipant('ANN@acme.example', 'ann@acme.example', [])).toBe(true);
    expect(isParticipant('bob@ACME.example', 'ann@acme.example', ['Bob@acme.example'])).toBe(true);
    expect(isParticipant('mallory@evil.example', 'ann@acme.example', ['bob@acme.example'])).toBe(false);
    expect(isParticipant('ann@acme.example', null, [])).toBe(false);
  });
});

describe('a public comment goes to every participant but its author', () => {
  const all = ['ann@acme.example', 'bob@acme.example', 'carol@elsewhere.example'];

  it('leaves out the author', () => {
    expect(commentRecipients(all, 'bob@acme.example', false)).toEqual(['ann@acme.example', 'carol@elsewhere.example']);
  });

  it('leaves out the author in any letter case', () => {
    expect(commentRecipients(all, ' BOB@Acme.Example ', false)).toEqual(['ann@acme.example', 'carol@elsewhere.example']);
  });

  it('goes to every participant when an agent (not a participant) writes it', () => {
    expect(commentRecipients(all, 'agent@support.example', false)).toEqual(all);
  });

  it('goes to nobody when its author is the only participant', () => {
    expect(commentRecipients(['ann@acme.example'], 'ann@acme.example', false)).toEqual([]);
  });
});

describe('an internal comment goes to nobody', () => {
  it('has no recipients', () => {
    expect(commentRecipients(['ann@acme.example', 'bob@acme.example'], 'agent@support.example', true)).toEqual([]);
  });
});

describe("a sender is known by the participant's address as stored, not as From spells it", () => {
  it('finds the stored address whatever the letter case, and nothing for a stranger', () => {
    const known = ['ann@acme.example', 'Bob.Baker@Acme.example'];
    expect(knownAddress('ANN@ACME.EXAMPLE', known)).toBe('ann@acme.example');
    expect(knownAddress('bob.baker@acme.example', known)).toBe('Bob.Baker@Acme.example');
    expect(knownAddress('eve@evil.example', known)).toBeNull();
  });
});
