// The filters `inbound list`, `outbox list` and `casegate trace` share, checked as typed: each
// returns the clean value or throws an error that says what to give instead.
import type { Tx } from '../db/engine.js';
import { normalizeEmail } from '../domain/address.js';
import { isCaseNumber, parseMessageIdRef } from '../domain/ids.js';
import { parseSince } from '../domain/since.js';
import { invalid, notFound } from '../errors.js';
import { caseByNumber, type CaseRow } from '../db/cases.js';

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

/** The case with this number, or an error that says how to find one (as src/cases/find.ts). */
export async function caseOf(tx: Tx, number: string): Promise<CaseRow> {
  const text = number.trim();
  if (!isCaseNumber(text)) throw invalid(`"${number}" is not a case number; case numbers have 8 digits, e.g. 00001001`);
  const row = await caseByNumber(tx, text);
  if (!row) throw notFound(`no case ${text}; list cases with "casegate case list"`);
  return row;
}

export async function caseIdFilter(tx: Tx, number: string): Promise<number> {
  return (await caseOf(tx, number)).id;
}

/** Applies `check` to a value when it was given. */
export const maybe = <T>(value: string | undefined, check: (v: string) => T): T | undefined => (value === undefined ? undefined : check(value));
