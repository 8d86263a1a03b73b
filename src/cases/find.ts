// Finding a case by the number a person typed.
import type { Db } from '../db/client.js';
import { caseByNumber, type CaseRow } from '../db/cases.js';
import { isCaseNumber } from '../domain/ids.js';
import { invalid, notFound } from '../errors.js';

/** The case with this number, or an error that says how to find one. */
export function requireCase(db: Db, number: string): CaseRow {
  if (!isCaseNumber(number)) throw invalid(`"${number}" is not a case number; case numbers have 8 digits, e.g. 00001001`);
  const row = caseByNumber(db, number);
  if (!row) throw notFound(`no case ${number}; list cases with "casegate case list"`);
  return row;
}
