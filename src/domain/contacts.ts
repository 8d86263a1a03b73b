// SPEC §3: linking a case from email to a contact, and suggesting contacts for unlinked cases. Pure.
import { localPartOf, normalizeEmail } from './address.js';

export interface ContactCandidate {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  username: string | null;
  handle: string | null;
  externalId: string | null;
}

export interface Sender {
  address: string;
  name: string;
}

export type ContactMatch<C> = { kind: 'linked'; contact: C } | { kind: 'none' } | { kind: 'several'; contacts: C[] };

/** Exactly one contact with the sender's email (case-insensitive): linked; none or several: not. */
export function matchContact<C extends ContactCandidate>(address: string, contacts: readonly C[]): ContactMatch<C> {
  const wanted = normalizeEmail(address);
  const found = contacts.filter((c) => normalizeEmail(c.email) === wanted);
  if (found.length === 1) return { kind: 'linked', contact: found[0] as C };
  if (found.length === 0) return { kind: 'none' };
  return { kind: 'several', contacts: found };
}

/** "Ann Archer" → Ann / Archer; "Archer, Ann" → Ann / Archer; one word → first name only. */
export function splitDisplayName(name: string): { first: string; last: string } {
  const clean = name
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(["'])(.*)\1$/, '$2')
    .replace(/"/g, '')
    .trim();
  if (clean.includes(',')) {
    const [last = '', first = ''] = clean.split(',', 2).map((s) => s.trim());
    return { first, last };
  }
  const parts = clean.split(' ').filter(Boolean);
  if (parts.length === 0) return { first: '', last: '' };
  if (parts.length === 1) return { first: parts[0] ?? '', last: '' };
  return { first: parts.slice(0, -1).join(' '), last: parts[parts.length - 1] ?? '' };
}

/** Fields of the contact that *create contacts* makes from an unknown sender. */
export function contactFromSender(sender: Sender): { email: string; firstName: string; lastName: string } {
  const { first, last } = splitDisplayName(sender.name);
  const local = localPartOf(sender.address);
  return { email: sender.address, firstName: first || local, lastName: last };
}

/**
 * Suggested contacts of an unlinked case: by email; else by first and last name from the display
 * name; else by username, handle or external id equal to the sender's local part or display name.
 */
export function suggestContacts<C extends ContactCandidate>(sender: Sender, contacts: readonly C[]): C[] {
  const wanted = normalizeEmail(sender.address);
  const byEmail = contacts.filter((c) => normalizeEmail(c.email) === wanted);
  if (byEmail.length > 0) return byEmail;
  const { first, last } = splitDisplayName(sender.name);
  if (first && last) {
    const byName = contacts.filter(
      (c) => c.firstName.toLowerCase() === first.toLowerCase() && c.lastName.toLowerCase() === last.toLowerCase(),
    );
    if (byName.length > 0) return byName;
  }
  const keys = new Set([localPartOf(wanted), sender.name.trim().toLowerCase()].filter(Boolean));
  return contacts.filter((c) =>
    [c.username, c.handle, c.externalId].some((v) => v !== null && keys.has(v.trim().toLowerCase())),
  );
}

/** The customer of an escalation (SPEC §8, seed 002): any of these fields. */
export interface Customer {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  username?: string | null;
  handle?: string | null;
  externalId?: string | null;
}

export type CustomerMatch<C> = ContactMatch<C> & { by: 'email' | 'name' | 'identity' | null };

const same = (a: string | null | undefined, b: string | null | undefined): boolean =>
  !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Seed 002's contact sync: the contact with the customer's email; else with their first and last
 * name; else with their username, handle or external id (each against the same field). The first
 * rule that finds anyone decides: one contact is linked, several leave the case unlinked.
 */
export function matchCustomer<C extends ContactCandidate>(customer: Customer, contacts: readonly C[]): CustomerMatch<C> {
  const rules: Array<[CustomerMatch<C>['by'], (c: C) => boolean, boolean]> = [
    ['email', (c) => same(c.email, customer.email), !!customer.email?.trim()],
    ['name', (c) => same(c.firstName, customer.firstName) && same(c.lastName, customer.lastName), !!customer.firstName?.trim() && !!customer.lastName?.trim()],
    [
      'identity',
      (c) => same(c.username, customer.username) || same(c.handle, customer.handle) || same(c.externalId, customer.externalId),
      !!(customer.username?.trim() || customer.handle?.trim() || customer.externalId?.trim()),
    ],
  ];
  for (const [by, test, usable] of rules) {
    if (!usable) continue;
    const found = contacts.filter(test);
    if (found.length === 1) return { kind: 'linked', contact: found[0] as C, by };
    if (found.length > 1) return { kind: 'several', contacts: found, by };
  }
  return { kind: 'none', by: null };
}
