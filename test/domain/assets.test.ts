// Assets (issue 14): statuses and install dates, whose assets a case may name, the asset lookup.
import { describe, expect, it } from 'vitest';
import { checkAssetForCase, isCalendarDate, lookupAssets, parseAssetStatus, type LookupAsset } from '../../src/domain/assets.js';

describe('asset status: one of Purchased, Shipped, Installed, Registered, Obsolete', () => {
  it('reads a status in any letter case', () => {
    expect(parseAssetStatus(' installed ')).toBe('Installed');
  });

  it('answers null for anything else', () => {
    expect(parseAssetStatus('Broken')).toBeNull();
  });
});

describe('install date: a calendar date written YYYY-MM-DD', () => {
  it('accepts a date that exists, leap days included', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
  });

  it('refuses dates that do not exist and other spellings', () => {
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2024-13-01')).toBe(false);
    expect(isCalendarDate('1.2.2024')).toBe(false);
    expect(isCalendarDate('2024-2-1')).toBe(false);
  });
});

describe('asset on a case: an asset of another account (or contact) is refused', () => {
  it('lets a case of the asset\'s account name it, whichever contact the case is for', () => {
    expect(checkAssetForCase({ contactId: 1, accountId: 7 }, { contactId: 2, accountId: 7 })).toBeNull();
  });

  it('refuses an asset of another account, and an account asset on a case without account', () => {
    expect(checkAssetForCase({ contactId: 1, accountId: 7 }, { contactId: 3, accountId: 8 })).toBe('other-account');
    expect(checkAssetForCase({ contactId: null, accountId: 7 }, { contactId: null, accountId: null })).toBe('other-account');
  });

  it('lets only the contact\'s own cases name the asset of a contact without account', () => {
    expect(checkAssetForCase({ contactId: 4, accountId: null }, { contactId: 4, accountId: null })).toBeNull();
    expect(checkAssetForCase({ contactId: 4, accountId: null }, { contactId: 5, accountId: null })).toBe('other-contact');
  });
});

describe('asset lookup: the contact\'s own assets first, then a search by name or serial', () => {
  const assets: LookupAsset[] = [
    { id: 1, name: 'Printer B', serial: 'SN-100', contactId: 2, accountId: 7 },
    { id: 2, name: 'Router', serial: 'RT-9', contactId: null, accountId: 7 },
    { id: 3, name: 'Printer A', serial: 'SN-200', contactId: 1, accountId: 7 },
    { id: 4, name: 'Printer C', serial: 'SN-300', contactId: 9, accountId: 8 },
  ];
  const ann = { contactId: 1, accountId: 7 };

  it('lists, for a contact, its own assets first, then the others of its account, by name', () => {
    expect(lookupAssets(assets, { contact: ann, search: null }).map((a) => a.id)).toEqual([3, 1, 2]);
  });

  it('searches name or serial, letter case ignored, keeping the contact\'s assets first', () => {
    expect(lookupAssets(assets, { contact: ann, search: 'printer' }).map((a) => a.id)).toEqual([3, 1]);
    expect(lookupAssets(assets, { contact: null, search: 'sn-' }).map((a) => a.id)).toEqual([3, 1, 4]);
  });
});
