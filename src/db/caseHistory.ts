// The `case_history` table: the changes of a case's status, priority and owner, oldest first.
import type { Tx } from './engine.js';

export interface HistoryEntry {
  field: string;
  oldValue: string | null;
  newValue: string | null;
  /** A user's email, `operator`, `API key NAME`, or `a reply`. */
  actor: string;
}

export type HistoryRow = HistoryEntry & { id: number; caseId: number; createdAt: number };

const COLUMNS = 'id, case_id AS "caseId", field, old_value AS "oldValue", new_value AS "newValue", actor, created_at AS "createdAt"';

export async function insertHistory(tx: Tx, caseId: number, entries: readonly HistoryEntry[], now: number): Promise<void> {
  for (const e of entries) {
    await tx.run('INSERT INTO case_history (case_id, field, old_value, new_value, actor, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      caseId,
      e.field,
      e.oldValue,
      e.newValue,
      e.actor,
      now,
    ]);
  }
}

export function historyOfCase(tx: Tx, caseId: number): Promise<HistoryRow[]> {
  return tx.all<HistoryRow>(`SELECT ${COLUMNS} FROM case_history WHERE case_id = ? ORDER BY id`, [caseId]);
}
