// `case update NUMBER`: changes of a case's own fields asked for by a person (the CLI today, the
// HTTP API later), references resolved as typed: its asset (of the case's account or contact) and
// the values of its record type's custom fields.
import type { Tx } from '../db/engine.js';
import { caseById, setCaseAsset, touchCase, type CaseRow } from '../db/cases.js';
import { fieldsOfCase, setCaseFields } from '../db/caseFields.js';
import { recordTypeById } from '../db/recordTypes.js';
import { invalid } from '../errors.js';
import { requireAsset } from '../admin/assets.js';
import { requireUserAllowed } from '../admin/permissions.js';
import { requireCase } from './find.js';
import { requireAssetFits, requireFieldValues } from './open.js';
import { requireAssignments } from './request.js';

export interface CaseUpdate {
  /** An asset by id or serial number. */
  asset?: string | null;
  /** Values of custom fields as `KEY=VALUE`; an empty value clears an optional field. */
  fields?: readonly string[];
  /** The user changing the case: needs Edit. */
  as?: string | null;
}

export async function updateCaseRequest(tx: Tx, number: string, change: CaseUpdate, now = Date.now()): Promise<CaseRow> {
  if (change.as) await requireUserAllowed(tx, change.as, 'edit', `edit case ${number.trim()}`);
  const row = await requireCase(tx, number);
  const given = requireAssignments(change.fields ?? []);
  if (change.asset == null && Object.keys(given).length === 0) throw invalid('nothing to change; give --asset ID|SERIAL or --field KEY=VALUE');
  if (change.asset != null) {
    const asset = await requireAsset(tx, change.asset);
    requireAssetFits(asset, row);
    await setCaseAsset(tx, row.id, asset.id, now);
  }
  if (Object.keys(given).length > 0) {
    const recordType = row.recordTypeId === null ? null : (await recordTypeById(tx, row.recordTypeId) ?? null);
    await setCaseFields(tx, row.id, requireFieldValues(recordType, given, await fieldsOfCase(tx, row.id)));
    await touchCase(tx, row.id, now);
  }
  return await caseById(tx, row.id) as CaseRow;
}
