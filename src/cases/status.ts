// Closing and reopening a case. Reopening (by an admin, or by a reply to a closed case, SPEC §4)
// sets status `Working`.
import type { Tx } from '../db/engine.js';
import { caseById, setCaseStatus, type CaseRow } from '../db/cases.js';
import { conflict } from '../errors.js';

export async function closeCase(tx: Tx, row: CaseRow, now: number): Promise<CaseRow> {
  if (row.status === 'Closed') throw conflict(`case ${row.number} is already closed; reopen it with "casegate case reopen ${row.number}"`);
  await setCaseStatus(tx, row.id, 'Closed', now, now);
  return await caseById(tx, row.id) as CaseRow;
}

export async function reopenCase(tx: Tx, row: CaseRow, now: number): Promise<CaseRow> {
  if (row.status !== 'Closed') throw conflict(`case ${row.number} is not closed (status ${row.status}); nothing to reopen`);
  await setCaseStatus(tx, row.id, 'Working', null, now);
  return await caseById(tx, row.id) as CaseRow;
}
