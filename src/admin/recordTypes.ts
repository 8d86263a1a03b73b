// Record types: per type of case, the statuses, priorities and origins it allows (with defaults)
// and its own custom fields. A routing address may name one for the cases its mail opens, so a
// record type used by one may not require a field or refuse that address's priority or origin.
import { mapInTurn, type Tx } from '../db/engine.js';
import { allRecordTypes, insertRecordType, recordTypeByName, updateRecordType, type RecordTypeRow, type RecordTypeValues } from '../db/recordTypes.js';
import { routingOfRecordType } from '../db/routing.js';
import type { Priority } from '../domain/caseRules.js';
import {
  allowedOrigin,
  allowsPriority,
  parseFieldSpec,
  parsePriorityList,
  parseStatusList,
  type FieldDef,
} from '../domain/recordTypes.js';
import { conflict, invalid, notFound } from '../errors.js';
import { requirePriority } from './input.js';

export interface RecordTypeRecord extends Omit<RecordTypeRow, 'createdAt' | 'updatedAt'> {
  /** Routing addresses whose mail opens cases of this type. */
  routing: string[];
  createdAt: string;
  updatedAt: string;
}

export async function recordTypeRecord(tx: Tx, row: RecordTypeRow): Promise<RecordTypeRecord> {
  return {
    ...row,
    routing: (await routingOfRecordType(tx, row.id)).map((r) => r.address),
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

/** Options as typed; on update, what is not given stays. */
export interface RecordTypeInput {
  statuses?: string | null;
  priorities?: string | null;
  origins?: string | null;
  defaultPriority?: string | null;
  defaultOrigin?: string | null;
  /** `key:type[:required]`; on update, a field of the same key is replaced. */
  fields?: readonly string[];
  /** Keys of fields to drop (update). */
  removeFields?: readonly string[];
}

export async function createRecordType(tx: Tx, name: string, input: RecordTypeInput, now = Date.now()): Promise<RecordTypeRecord> {
  const clean = name.replace(/\s+/g, ' ').trim();
  if (clean === '') throw invalid('a record type needs a name; give it as in: casegate recordtype create Hardware');
  const same = await recordTypeByName(tx, clean);
  if (same) throw conflict(`record type "${same.name}" already exists; change it with "casegate recordtype update ${same.name}"`);
  if (input.removeFields?.length) throw invalid('a new record type has no fields to remove; leave --remove-field out');
  const empty: RecordTypeValues = { name: clean, statuses: null, priorities: null, origins: null, defaultPriority: null, defaultOrigin: null, fields: [] };
  return await recordTypeRecord(tx, await insertRecordType(tx, resolve(empty, input), now));
}

export async function changeRecordType(tx: Tx, name: string, input: RecordTypeInput, now = Date.now()): Promise<RecordTypeRecord> {
  const current = await requireRecordType(tx, name);
  const next = resolve(current, input);
  for (const r of await routingOfRecordType(tx, current.id)) {
    const problem = routingProblem(next, r);
    if (problem) throw invalid(`routing address ${r.address} opens cases of record type "${current.name}" and ${problem}; change or remove that routing address first`);
  }
  return await recordTypeRecord(tx, await updateRecordType(tx, current.id, next, now));
}

/** Applies the options to the values of a record type, checking each. */
function resolve(base: RecordTypeValues, input: RecordTypeInput): RecordTypeValues {
  const statuses = input.statuses == null ? base.statuses : unwrap(parseStatusList(input.statuses), '--statuses');
  const priorities = input.priorities == null ? base.priorities : unwrap(parsePriorityList(input.priorities), '--priorities');
  const origins = input.origins == null ? base.origins : originList(input.origins);
  let defaultPriority: Priority | null = input.defaultPriority == null ? base.defaultPriority : requirePriority(input.defaultPriority);
  if (defaultPriority === null || !allowsPriority({ priorities }, defaultPriority)) {
    if (input.defaultPriority != null) throw invalid(`default priority ${defaultPriority} is not one of the record type's priorities (${priorities?.join(', ')}); give one of them`);
    defaultPriority = priorities === null ? null : priorities.includes('Medium') ? 'Medium' : (priorities[0] as Priority);
  }
  let defaultOrigin = input.defaultOrigin == null ? base.defaultOrigin : input.defaultOrigin.trim() || null;
  if (defaultOrigin !== null && origins !== null) {
    const spelled = allowedOrigin({ origins }, defaultOrigin);
    if (spelled === null) {
      if (input.defaultOrigin != null) throw invalid(`default origin ${defaultOrigin} is not one of the record type's origins (${origins.join(', ')}); give one of them`);
      defaultOrigin = null;
    } else defaultOrigin = spelled;
  }
  if (defaultOrigin === null && origins !== null) defaultOrigin = origins[0] as string;
  return { name: base.name, statuses, priorities, origins, defaultPriority, defaultOrigin, fields: fieldsOf(base.fields, input) };
}

function fieldsOf(current: readonly FieldDef[], input: RecordTypeInput): FieldDef[] {
  const removed = (input.removeFields ?? []).map((k) => k.trim().toLowerCase());
  for (const key of removed) {
    if (!current.some((f) => f.key === key)) throw notFound(`there is no field "${key}" to remove; "casegate recordtype show NAME" lists the fields`);
  }
  const fields = current.filter((f) => !removed.includes(f.key));
  const added = new Set<string>();
  for (const spec of input.fields ?? []) {
    const f = unwrap(parseFieldSpec(spec), '--field');
    if (added.has(f.key)) throw invalid(`field "${f.key}" is given twice; give each --field once`);
    added.add(f.key);
    const at = fields.findIndex((x) => x.key === f.key);
    if (at >= 0) fields[at] = f;
    else fields.push(f);
  }
  return fields;
}

function originList(text: string): string[] {
  const origins = text.split(',').map((o) => o.trim()).filter((o) => o !== '');
  if (origins.length === 0) throw invalid('--origins is empty; give origins such as Email,Phone,Web');
  if (new Set(origins.map((o) => o.toLowerCase())).size !== origins.length) throw invalid('--origins names an origin twice; give each once');
  return origins;
}

function unwrap<T>(result: T | { problem: string }, option: string): T {
  if (typeof result === 'object' && result !== null && 'problem' in result) throw invalid(`${option}: ${result.problem}; fix it and run the command again`);
  return result as T;
}

/**
 * Why a routing address cannot open cases of this record type (mail must never be refused for
 * it): a required field mail cannot fill, or its priority or origin not allowed. Null when it can.
 */
export function routingProblem(rt: Pick<RecordTypeValues, 'priorities' | 'origins' | 'fields'>, r: { priority: string; origin: string }): string | null {
  const required = rt.fields.filter((f) => f.required).map((f) => f.key);
  if (required.length > 0) return `mail cannot fill its required field${required.length > 1 ? 's' : ''} ${required.join(', ')}`;
  if (!allowsPriority(rt, r.priority as Priority)) return `its priority ${r.priority} is not one of ${rt.priorities?.join(', ')}`;
  if (allowedOrigin(rt, r.origin) === null) return `its origin ${r.origin} is not one of ${rt.origins?.join(', ')}`;
  return null;
}

export async function listRecordTypes(tx: Tx): Promise<RecordTypeRecord[]> {
  return mapInTurn(await allRecordTypes(tx), (row) => recordTypeRecord(tx, row));
}

export async function showRecordType(tx: Tx, name: string): Promise<RecordTypeRecord> {
  return await recordTypeRecord(tx, await requireRecordType(tx, name));
}

export async function requireRecordType(tx: Tx, name: string): Promise<RecordTypeRow> {
  const row = await recordTypeByName(tx, name);
  if (!row) throw notFound(`no record type "${name.trim()}"; list them with "casegate recordtype list" or create it with "casegate recordtype create"`);
  return row;
}
