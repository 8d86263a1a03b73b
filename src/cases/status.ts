// Changes of a case's status: closing, reopening (by an agent, or by a reply to a closed case,
// SPEC §4: status `Working`) and any status the record type allows (`case update --status`). Each
// change is a case history entry naming who made it.
import type { Tx } from '../db/engine.js';
import { caseById, setCaseStatus, type CaseRow } from '../db/cases.js';
import { insertHistory } from '../db/caseHistory.js';
import { closedAtAfter } from '../domain/caseChanges.js';
import type { CaseStatus } from '../domain/caseRules.js';
import { conflict } from '../errors.js';

/** Who reopened a case by writing to it (a mail reply, a comment in the Help portal). */
export const BY_REPLY = 'a reply';

/** Sets the status with its closing time and writes the history entry; no change, no entry. */
export async function changeStatus(tx: Tx, row: CaseRow, status: CaseStatus, actor: string, now: number): Promise<CaseRow> {
  if (row.status === status) return row;
  await setCaseStatus(tx, row.id, status, closedAtAfter(row, status, now), now);
  await insertHistory(tx, row.id, [{ field: 'status', oldValue: row.status, newValue: status, actor }], now);
  return await caseById(tx, row.id) as CaseRow;
}

export async function closeCase(tx: Tx, row: CaseRow, now: number, actor = 'operator'): Promise<CaseRow> {
  if (row.status === 'Closed') throw conflict(`case ${row.number} is already closed; reopen it with "casegate case reopen ${row.number}"`);
  return changeStatus(tx, row, 'Closed', actor, now);
}

export async function reopenCase(tx: Tx, row: CaseRow, now: number, actor = BY_REPLY): Promise<CaseRow> {
  if (row.status !== 'Closed') throw conflict(`case ${row.number} is not closed (status ${row.status}); nothing to reopen`);
  return changeStatus(tx, row, 'Working', actor, now);
}
