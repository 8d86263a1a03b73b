// Finding a case by the number a person typed.
import type { Tx } from '../db/engine.js';
import { caseByNumber, type CaseRow } from '../db/cases.js';
import { isCaseNumber } from '../domain/ids.js';
import { invalid, notFound } from '../errors.js';

/** The case with this number, or an error that says how to find one. */
export async function requireCase(tx: Tx, number: string): Promise<CaseRow> {
  if (!isCaseNumber(number)) throw invalid(`"${number}" is not a case number; case numbers have 8 digits, e.g. 00001001`);
  const row = await caseByNumber(tx, number);
  if (!row) throw notFound(`no case ${number}; list cases with "casegate case list"`);
  return row;
}
