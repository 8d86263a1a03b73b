// Record types (Salesforce: "different record types can have different fields and different
// picklist values"). A record type allows a subset of the case statuses and priorities, a list of
// origins, each with a default, and its own custom fields. Pure: parsing what an admin types and
// checking a case's values against it.
import { CASE_STATUSES, PRIORITIES, type CaseStatus, type Priority } from './caseRules.js';
import { isCalendarDate } from './assets.js';

export const FIELD_TYPES = Object.freeze(['text', 'number', 'date', 'picklist'] as const);
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldDef {
  key: string;
  type: FieldType;
  /** The values of a picklist, in order; empty for other types. */
  options: string[];
  required: boolean;
}

/** Statuses casegate sets by itself (a new case, a reopened one, a closed one): every record type allows them. */
export const STATUSES_ALWAYS: readonly CaseStatus[] = Object.freeze(['New', 'Working', 'Closed']);

const KEY = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * A field as typed: `key:type[:required]`, type one of text, number, date or `picklist(a|b|c)`.
 * Returns the field or a sentence saying what is wrong.
 */
export function parseFieldSpec(spec: string): FieldDef | { problem: string } {
  const m = /^([^:]*):(text|number|date|picklist\(([^)]*)\))(?::(required))?$/i.exec(spec.trim());
  if (!m) return { problem: `field "${spec}" is not key:type[:required] with type text, number, date or picklist(a|b|c)` };
  const key = (m[1] as string).trim().toLowerCase();
  if (!KEY.test(key)) return { problem: `field key "${m[1]}" must start with a letter and hold only letters, digits and _ (at most 40)` };
  const type = (m[2] as string).toLowerCase().startsWith('picklist') ? 'picklist' : ((m[2] as string).toLowerCase() as FieldType);
  const options = type === 'picklist' ? (m[3] as string).split('|').map((o) => o.trim()).filter((o) => o !== '') : [];
  if (type === 'picklist' && options.length === 0) return { problem: `picklist field "${key}" needs values, e.g. ${key}:picklist(a|b|c)` };
  if (new Set(options.map((o) => o.toLowerCase())).size !== options.length) return { problem: `picklist field "${key}" names a value twice` };
  return { key, type, options, required: m[4] !== undefined };
}

/** A list of statuses as typed: a subset of the case statuses that keeps STATUSES_ALWAYS. */
export function parseStatusList(text: string): CaseStatus[] | { problem: string } {
  const picked = pickFrom(text, CASE_STATUSES);
  if ('problem' in picked) return { problem: `status ${picked.problem}` };
  const missing = STATUSES_ALWAYS.filter((s) => !picked.includes(s));
  if (missing.length > 0) return { problem: `statuses must include ${STATUSES_ALWAYS.join(', ')} (casegate sets them itself); add ${missing.join(', ')}` };
  return picked;
}

/** A list of priorities as typed: a non-empty subset of the case priorities. */
export function parsePriorityList(text: string): Priority[] | { problem: string } {
  const picked = pickFrom(text, PRIORITIES);
  if ('problem' in picked) return { problem: `priority ${picked.problem}` };
  return picked.length === 0 ? { problem: 'a record type needs at least one priority' } : picked;
}

/** Names from `all` in any letter case, comma-separated, kept in the order of `all`. */
function pickFrom<T extends string>(text: string, all: readonly T[]): T[] | { problem: string } {
  const words = text.split(',').map((w) => w.trim()).filter((w) => w !== '');
  const unknown = words.filter((w) => !all.some((a) => a.toLowerCase() === w.toLowerCase()));
  if (unknown.length > 0) return { problem: `"${unknown.join(', ')}" is not one of ${all.join(', ')}` };
  return all.filter((a) => words.some((w) => w.toLowerCase() === a.toLowerCase()));
}

/** What a record type allows; null lists allow every value (origins: any text). */
export interface RecordTypeRules {
  name: string;
  statuses: readonly CaseStatus[] | null;
  priorities: readonly Priority[] | null;
  origins: readonly string[] | null;
  fields: readonly FieldDef[];
}

/** The value of an origin in the record type's own spelling, or null when it does not allow it. */
export function allowedOrigin(rt: Pick<RecordTypeRules, 'origins'>, origin: string): string | null {
  if (rt.origins === null) return origin;
  return rt.origins.find((o) => o.toLowerCase() === origin.trim().toLowerCase()) ?? null;
}

export function allowsPriority(rt: Pick<RecordTypeRules, 'priorities'>, priority: Priority): boolean {
  return rt.priorities === null || rt.priorities.includes(priority);
}

export function allowsStatus(rt: Pick<RecordTypeRules, 'statuses'>, status: CaseStatus): boolean {
  return rt.statuses === null || rt.statuses.includes(status);
}

/**
 * Checks values given as `key=value` against the fields of a record type, on top of the values a
 * case already has (`current`). Returns the values to keep, in field order, or every problem, each
 * naming its field.
 */
export function checkFieldValues(
  fields: readonly FieldDef[],
  given: Readonly<Record<string, string>>,
  current: Readonly<Record<string, string>> = {},
): { values: Record<string, string> } | { problems: string[] } {
  const problems: string[] = [];
  const byKey = new Map(fields.map((f) => [f.key, f]));
  for (const key of Object.keys(given)) if (!byKey.has(key)) problems.push(`no field "${key}"`);
  const values: Record<string, string> = {};
  for (const f of fields) {
    const raw = key(given, f.key) ?? current[f.key];
    const value = raw?.trim() ?? '';
    if (value === '') {
      if (f.required) problems.push(`field "${f.key}" is required`);
      continue;
    }
    const checked = checkValue(f, value);
    if (checked === null) problems.push(`field "${f.key}" ${describeType(f)}, not "${value}"`);
    else values[f.key] = checked;
  }
  return problems.length > 0 ? { problems } : { values };
}

const key = (given: Readonly<Record<string, string>>, k: string): string | undefined => (Object.hasOwn(given, k) ? given[k] : undefined);

function checkValue(f: FieldDef, value: string): string | null {
  switch (f.type) {
    case 'text':
      return value;
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(value) ? value : null;
    case 'date':
      return isCalendarDate(value) ? value : null;
    case 'picklist':
      return f.options.find((o) => o.toLowerCase() === value.toLowerCase()) ?? null;
  }
}

function describeType(f: FieldDef): string {
  switch (f.type) {
    case 'text':
      return 'takes text';
    case 'number':
      return 'takes a number such as 12 or 3.5';
    case 'date':
      return 'takes a date YYYY-MM-DD';
    case 'picklist':
      return `takes one of ${f.options.join(', ')}`;
  }
}

/** `KEY=VALUE` pairs as typed (`--field` repeated): the map, or the pair that has no `=`. */
export function parseFieldAssignments(pairs: readonly string[]): { values: Record<string, string> } | { problem: string } {
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) return { problem: `--field "${pair}" is not KEY=VALUE` };
    values[pair.slice(0, at).trim().toLowerCase()] = pair.slice(at + 1);
  }
  return { values };
}
