// The routing address's rules as data (src/domain/routingRules.ts): sender lists, templates, conditions.
import { describe, expect, it } from 'vitest';
import { autoResponseWanted, checkSender, firstNameFor, parseSenderList, renderTemplate, unknownPlaceholders } from '../../src/domain/routingRules.js';

describe('sender lists', () => {
  it('take comma-separated addresses and @domains, lowercased, without blanks or repeats', () => {
    expect(parseSenderList(' Ann@Acme.example, @Partner.EXAMPLE,,ann@acme.example ')).toEqual({ entries: ['ann@acme.example', '@partner.example'] });
    expect(parseSenderList('')).toEqual({ entries: [] });
  });
  it('name every entry that is neither an address nor @domain', () => {
    expect(parseSenderList('ann@acme.example, bob, @, @bad_domain, x@y@z')).toEqual({ bad: ['bob', '@', '@bad_domain', 'x@y@z'] });
  });
  it('block wins over accept-from; an empty accept-from takes anyone; @domain matches that domain only', () => {
    expect(checkSender('ann@acme.example', { acceptFrom: [], block: [] })).toBe('ok');
    expect(checkSender('ANN@acme.example', { acceptFrom: ['ann@acme.example'], block: ['@acme.example'] })).toBe('blocked');
    expect(checkSender('joe@mail.acme.example', { acceptFrom: ['@acme.example'], block: [] })).toBe('not-accepted');
    expect(checkSender(null, { acceptFrom: ['@acme.example'], block: [] })).toBe('not-accepted');
  });
});

describe('auto-response templates', () => {
  const values = { 'case.number': '00001001', 'case.subject': 'Printer', 'contact.firstName': 'Ann', replyAddress: 'case+abc@cases.test' };
  it('fill every known placeholder, spaces inside the braces allowed', () => {
    expect(renderTemplate('Hi {{contact.firstName}}, case {{ case.number }} "{{case.subject}}": {{replyAddress}}', values)).toBe(
      'Hi Ann, case 00001001 "Printer": case+abc@cases.test',
    );
  });
  it('name unknown placeholders once each', () => {
    expect(unknownPlaceholders('{{case.number}} {{case.owner}} {{Contact.FirstName}} {{case.owner}}')).toEqual(['case.owner', 'Contact.FirstName']);
    expect(unknownPlaceholders('no placeholders, {single} braces')).toEqual([]);
  });
  it('are sent when the condition is absent or found in subject or body, any letter case', () => {
    expect(autoResponseWanted(null, { subject: 'a', body: 'b' })).toBe(true);
    expect(autoResponseWanted('URGENT', { subject: 'urgent: x', body: '' })).toBe(true);
    expect(autoResponseWanted('urgent', { subject: 'x', body: 'It is Urgent.' })).toBe(true);
    expect(autoResponseWanted('urgent', { subject: 'x', body: 'y' })).toBe(false);
  });
  it('greet the contact, else the first word of the display name, else nobody', () => {
    expect(firstNameFor('Ann', 'Someone Else')).toBe('Ann');
    expect(firstNameFor(null, '  Carol Chen ')).toBe('Carol');
    expect(firstNameFor(null, null)).toBe('');
  });
});
