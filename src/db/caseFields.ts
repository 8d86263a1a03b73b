// The `case_fields` table: the values of a case's custom fields, one row per field that has one.
import { statement, type Db } from './client.js';

/** Replaces every value of the case's fields with `values`. */
export function setCaseFields(db: Db, caseId: number, values: Readonly<Record<string, string>>): void {
  statement<[number]>(db, 'DELETE FROM case_fields WHERE case_id = ?').run(caseId);
  const insert = statement<[number, string, string]>(db, 'INSERT INTO case_fields (case_id, key, value) VALUES (?, ?, ?)');
  for (const [key, value] of Object.entries(values)) insert.run(caseId, key, value);
}

export function fieldsOfCase(db: Db, caseId: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of statement<[number], { key: string; value: string }>(db, 'SELECT key, value FROM case_fields WHERE case_id = ? ORDER BY rowid').all(caseId)) {
    out[r.key] = r.value;
  }
  return out;
}
