// SPEC §3: linking a case from email to a contact, and suggesting contacts for an unlinked case.
import { describe, expect, it } from 'vitest';
import { contactFromSender, matchContact, matchCustomer, splitDisplayName, suggestContacts, type ContactCandidate } from '../../src/domain/contacts.js';

function contact(id: number, email: string, firstName: string, lastName: string, extra: Partial<ContactCandidate> = {}): ContactCandidate {
  return { id, email, firstName, lastName, username: null, handle: null, externalId: null, ...extra };
}

const ann = contact(1, 'ann@acme.example', 'Ann', 'Archer');
const bob = contact(2, 'Bob@Acme.example', 'Bob', 'Baker', { username: 'bbaker', handle: 'bobby', externalId: 'CRM-0042' });
const bobAtGlobex = contact(3, 'bob@acme.example', 'Robert', 'Baker');
const carol = contact(4, 'carol@globex.example', 'Carol', 'Clark');
const everyone = [ann, bob, bobAtGlobex, carol];

describe('contact matching: the contact whose email matches the sender, case-insensitively', () => {
  it('links exactly one match', () => {
    expect(matchContact('ann@acme.example', everyone)).toEqual({ kind: 'linked', contact: ann });
  });

  it('links in any letter case and ignores surrounding spaces', () => {
    expect(matchContact(' ANN@Acme.Example ', everyone)).toEqual({ kind: 'linked', contact: ann });
    expect(matchContact('carol@GLOBEX.example', everyone)).toEqual({ kind: 'linked', contact: carol });
  });

  it('leaves the case unlinked when no contact has the address', () => {
    expect(matchContact('dave@acme.example', everyone)).toEqual({ kind: 'none' });
    expect(matchContact('ann@acme.example', [])).toEqual({ kind: 'none' });
  });

  it('leaves the case unlinked when several contacts share the address (in any letter case), naming them', () => {
    expect(matchContact('BOB@acme.example', everyone)).toEqual({ kind: 'several', contacts: [bob, bobAtGlobex] });
  });

  it('does not match on a part of the address', () => {
    expect(matchContact('nn@acme.example', everyone)).toEqual({ kind: 'none' });
    expect(matchContact('ann@acme.example.org', everyone)).toEqual({ kind: 'none' });
  });
});

describe('display names: first and last name from "First Last" and "Last, First"', () => {
  it('reads "First Last"', () => {
    expect(splitDisplayName('Ann Archer')).toEqual({ first: 'Ann', last: 'Archer' });
  });

  it('reads "Last, First"', () => {
    expect(splitDisplayName('Archer, Ann')).toEqual({ first: 'Ann', last: 'Archer' });
  });

  it('takes the last word as last name and the rest as first name', () => {
    expect(splitDisplayName('Mary Ann  Archer')).toEqual({ first: 'Mary Ann', last: 'Archer' });
  });

  it('drops quotes and extra spaces', () => {
    expect(splitDisplayName(' "Archer,  Ann" ')).toEqual({ first: 'Ann', last: 'Archer' });
  });

  it('reads one word as a first name only, and nothing as nothing', () => {
    expect(splitDisplayName('Ann')).toEqual({ first: 'Ann', last: '' });
    expect(splitDisplayName('   ')).toEqual({ first: '', last: '' });
  });

  it('keeps an apostrophe that belongs to a name', () => {
    expect(splitDisplayName("Sean O'Brien")).toEqual({ first: 'Sean', last: "O'Brien" });
  });
});

describe('a contact created for an unknown sender', () => {
  it('takes the names from the display name and the address as given', () => {
    expect(contactFromSender({ address: 'Dave@Initech.example', name: 'Dunn, Dave' })).toEqual({
      email: 'Dave@Initech.example',
      firstName: 'Dave',
      lastName: 'Dunn',
    });
  });

  it('uses the local part as first name when there is no display name', () => {
    expect(contactFromSender({ address: 'dave.dunn@initech.example', name: '' })).toEqual({
      email: 'dave.dunn@initech.example',
      firstName: 'dave.dunn',
      lastName: '',
    });
  });
});

describe('suggested contacts: by email, else by first and last name, else by username, handle or external id', () => {
  it('suggests the contacts with the sender\'s email first, in any letter case, and only those', () => {
    const withSameName = contact(9, 'ann.archer@globex.example', 'Ann', 'Archer');
    expect(suggestContacts({ address: 'ANN@acme.example', name: 'Ann Archer' }, [...everyone, withSameName])).toEqual([ann]);
  });

  it('suggests every contact sharing the sender\'s email', () => {
    expect(suggestContacts({ address: 'bob@acme.example', name: '' }, everyone)).toEqual([bob, bobAtGlobex]);
  });

  it('else suggests contacts by first and last name from the display name, in any letter case', () => {
    expect(suggestContacts({ address: 'ann.private@mail.example', name: 'ann ARCHER' }, everyone)).toEqual([ann]);
  });

  it('reads a "Last, First" display name', () => {
    expect(suggestContacts({ address: 'ann.private@mail.example', name: 'Archer, Ann' }, everyone)).toEqual([ann]);
  });

  it('suggests every contact with that name', () => {
    const otherBaker = contact(8, 'rb@initech.example', 'Robert', 'Baker');
    expect(suggestContacts({ address: 'r@mail.example', name: 'Robert Baker' }, [...everyone, otherBaker])).toEqual([bobAtGlobex, otherBaker]);
  });

  it('does not suggest by first name alone', () => {
    expect(suggestContacts({ address: 'x@mail.example', name: 'Ann' }, everyone)).toEqual([]);
  });

  it('else suggests by username equal to the local part of the sender', () => {
    expect(suggestContacts({ address: 'BBaker@mail.example', name: '' }, everyone)).toEqual([bob]);
  });

  it('else by handle equal to the display name', () => {
    expect(suggestContacts({ address: 'x@mail.example', name: 'Bobby' }, everyone)).toEqual([bob]);
  });

  it('else by external id', () => {
    expect(suggestContacts({ address: 'crm-0042@mail.example', name: '' }, everyone)).toEqual([bob]);
    expect(suggestContacts({ address: 'x@mail.example', name: 'crm-0042' }, everyone)).toEqual([bob]);
  });

  it('prefers a name match to a username match', () => {
    const byName = contact(7, 'cc@initech.example', 'Carl', 'Cole');
    const byUsername = contact(6, 'z@initech.example', 'Zed', 'Zane', { username: 'ccole' });
    expect(suggestContacts({ address: 'ccole@mail.example', name: 'Carl Cole' }, [byName, byUsername])).toEqual([byName]);
  });

  it('suggests nothing when nothing matches', () => {
    expect(suggestContacts({ address: 'stranger@mail.example', name: 'Sam Stranger' }, everyone)).toEqual([]);
    expect(suggestContacts({ address: 'stranger@mail.example', name: '' }, [])).toEqual([]);
  });

  it('finds a contact whose last name has an apostrophe', () => {
    const sean = contact(5, 'sean@acme.example', 'Sean', "O'Brien");
    expect(suggestContacts({ address: 'sean.private@mail.example', name: "Sean O'Brien" }, [...everyone, sean])).toEqual([sean]);
  });
});

describe('escalation contact sync (seed 002): by email, else first and last name, else username, handle or external id', () => {
  it('links by email first, in any letter case, even when the name names someone else', () => {
    expect(matchCustomer({ email: 'ANN@acme.example', firstName: 'Carol', lastName: 'Clark' }, everyone)).toEqual({ kind: 'linked', contact: ann, by: 'email' });
  });

  it('falls back to first and last name when the email matches nobody', () => {
    expect(matchCustomer({ email: 'carol@home.example', firstName: 'carol', lastName: 'CLARK' }, everyone)).toEqual({ kind: 'linked', contact: carol, by: 'name' });
  });

  it('needs both names for the name rule', () => {
    expect(matchCustomer({ firstName: 'Carol' }, everyone)).toEqual({ kind: 'none', by: null });
  });

  it('falls back to username, handle or external id, each against the same field', () => {
    expect(matchCustomer({ username: 'BBAKER' }, everyone)).toMatchObject({ kind: 'linked', contact: bob, by: 'identity' });
    expect(matchCustomer({ handle: 'bobby' }, everyone)).toMatchObject({ kind: 'linked', contact: bob });
    expect(matchCustomer({ externalId: 'crm-0042' }, everyone)).toMatchObject({ kind: 'linked', contact: bob });
    expect(matchCustomer({ username: 'bobby' }, everyone)).toEqual({ kind: 'none', by: null });
  });

  it('stops at the first rule that finds anyone: several there leave the case unlinked', () => {
    expect(matchCustomer({ email: 'bob@acme.example', username: 'bbaker' }, everyone)).toEqual({ kind: 'several', contacts: [bob, bobAtGlobex], by: 'email' });
  });

  it('finds none for an empty customer', () => {
    expect(matchCustomer({}, everyone)).toEqual({ kind: 'none', by: null });
  });
});
