// Closing and reopening a case. Reopening (by an admin, or by a reply to a closed case, SPEC §4)
// sets status `Working`.
import type { Db } from '../db/client.js';
import { caseById, setCaseStatus, type CaseRow } from '../db/cases.js';
import { conflict } from '../errors.js';

export function closeCase(db: Db, row: CaseRow, now: number): CaseRow {
  if (row.status === 'Closed') throw conflict(`case ${row.number} is already closed; reopen it with "casegate case reopen ${row.number}"`);
  setCaseStatus(db, row.id, 'Closed', now, now);
  return caseById(db, row.id) as CaseRow;
}

export function reopenCase(db: Db, row: CaseRow, now: number): CaseRow {
  if (row.status !== 'Closed') throw conflict(`case ${row.number} is not closed (status ${row.status}); nothing to reopen`);
  setCaseStatus(db, row.id, 'Working', null, now);
  return caseById(db, row.id) as CaseRow;
}
