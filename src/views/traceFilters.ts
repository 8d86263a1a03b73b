// The filters `inbound list`, `outbox list` and `casegate trace` share, checked as typed: each
// returns the clean value or throws an error that says what to give instead.
import type { Tx } from '../db/engine.js';
import { normalizeEmail } from '../domain/address.js';
import { parseMessageIdRef } from '../domain/ids.js';
import { parseSince } from '../domain/since.js';
import { invalid } from '../errors.js';
import { requireCase } from '../cases/find.js';

/** An address to compare with stored ones, lower-cased; `flag` names it in the error. */
export function addressFilter(value: string, flag: string): string {
  const address = normalizeEmail(value.trim());
  if (address === '' || /\s/.test(address)) throw invalid(`${flag} "${value}" is not an address; give one such as ann@example.com`);
  return address;
}

export function messageIdFilter(value: string, flag = '--message-id'): string {
  const id = parseMessageIdRef(value);
  if (id === null) throw invalid(`${flag} "${value}" is not a Message-ID; give one such as <abc123@mail.example> (the brackets may be left out)`);
  return id;
}

export function sinceFilter(value: string, now: number, flag = '--since'): number {
  const parsed = parseSince(value, now);
  if ('problem' in parsed) throw invalid(`${flag} ${parsed.problem}`);
  return parsed.at;
}

export async function caseIdFilter(tx: Tx, number: string): Promise<number> {
  return (await requireCase(tx, number.trim())).id;
}

/** Applies `check` to a value when it was given. */
export const maybe = <T>(value: string | undefined, check: (v: string) => T): T | undefined => (value === undefined ? undefined : check(value));
