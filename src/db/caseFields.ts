// The `case_fields` table: the values of a case's custom fields, one row per field that has one.
import type { Tx } from './engine.js';

/** Replaces every value of the case's fields with `values`. */
export async function setCaseFields(tx: Tx, caseId: number, values: Readonly<Record<string, string>>): Promise<void> {
  await tx.run('DELETE FROM case_fields WHERE case_id = ?', [caseId]);
  for (const [key, value] of Object.entries(values)) await tx.run('INSERT INTO case_fields (case_id, key, value) VALUES (?, ?, ?)', [caseId, key, value]);
}

/** The values of a case's fields, by key (in the order of the keys). */
export async function fieldsOfCase(tx: Tx, caseId: number): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of await tx.all<{ key: string; value: string }>('SELECT key, value FROM case_fields WHERE case_id = ? ORDER BY key', [caseId])) {
    out[r.key] = r.value;
  }
  return out;
}
