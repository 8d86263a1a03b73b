// The `record_types` table. The allowed lists are stored comma-separated (null: all allowed) and
// the fields as a JSON array; a row comes back parsed.
import type { Tx } from './engine.js';
import type { CaseStatus, Priority } from '../domain/caseRules.js';
import type { FieldDef } from '../domain/recordTypes.js';

export interface RecordTypeRow {
  id: number;
  name: string;
  statuses: CaseStatus[] | null;
  priorities: Priority[] | null;
  origins: string[] | null;
  defaultPriority: Priority | null;
  defaultOrigin: string | null;
  fields: FieldDef[];
  createdAt: number;
  updatedAt: number;
}

export type RecordTypeValues = Omit<RecordTypeRow, 'id' | 'createdAt' | 'updatedAt'>;

const COLUMNS = `id, name, statuses, priorities, origins, default_priority AS "defaultPriority",
  default_origin AS "defaultOrigin", fields, created_at AS "createdAt", updated_at AS "updatedAt"`;

type Raw = Omit<RecordTypeRow, 'statuses' | 'priorities' | 'origins' | 'fields'> & {
  statuses: string | null;
  priorities: string | null;
  origins: string | null;
  fields: string;
};

const list = <T extends string>(text: string | null): T[] | null => (text === null ? null : (text.split(',') as T[]));
const joined = (values: readonly string[] | null): string | null => (values === null ? null : values.join(','));

const row = (r: Raw | undefined): RecordTypeRow | undefined =>
  r === undefined
    ? undefined
    : { ...r, statuses: list(r.statuses), priorities: list(r.priorities), origins: list(r.origins), fields: JSON.parse(r.fields) as FieldDef[] };

const params = (v: RecordTypeValues): unknown[] => [
  v.name,
  v.name.toLowerCase(),
  joined(v.statuses),
  joined(v.priorities),
  joined(v.origins),
  v.defaultPriority,
  v.defaultOrigin,
  JSON.stringify(v.fields),
];

export async function insertRecordType(tx: Tx, v: RecordTypeValues, now: number): Promise<RecordTypeRow> {
  return row(
    await tx.get<Raw>(
      `INSERT INTO record_types (name, name_lower, statuses, priorities, origins, default_priority, default_origin, fields, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
      [...params(v), now, now],
    ),
  ) as RecordTypeRow;
}

export async function updateRecordType(tx: Tx, id: number, v: RecordTypeValues, now: number): Promise<RecordTypeRow> {
  return row(
    await tx.get<Raw>(
      `UPDATE record_types SET name = ?, name_lower = ?, statuses = ?, priorities = ?, origins = ?, default_priority = ?,
         default_origin = ?, fields = ?, updated_at = ? WHERE id = ? RETURNING ${COLUMNS}`,
      [...params(v), now, id],
    ),
  ) as RecordTypeRow;
}

export async function recordTypeById(tx: Tx, id: number): Promise<RecordTypeRow | undefined> {
  return row(await tx.get<Raw>(`SELECT ${COLUMNS} FROM record_types WHERE id = ?`, [id]));
}

/** By name, letter case ignored. */
export async function recordTypeByName(tx: Tx, name: string): Promise<RecordTypeRow | undefined> {
  return row(await tx.get<Raw>(`SELECT ${COLUMNS} FROM record_types WHERE name_lower = ?`, [name.trim().toLowerCase()]));
}

export async function allRecordTypes(tx: Tx): Promise<RecordTypeRow[]> {
  return (await tx.all<Raw>(`SELECT ${COLUMNS} FROM record_types ORDER BY id`)).map((r) => row(r) as RecordTypeRow);
}
