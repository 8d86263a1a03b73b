// `case update NUMBER`: changes of a case's own fields asked for by a person (the CLI today, the
// HTTP API later), references resolved as typed. The asset must be of the case's account (or contact).
import { transaction, type Db } from '../db/client.js';
import { caseById, setCaseAsset, type CaseRow } from '../db/cases.js';
import { invalid } from '../errors.js';
import { requireAsset } from '../admin/assets.js';
import { requireUserAllowed } from '../admin/permissions.js';
import { requireCase } from './find.js';
import { requireAssetFits } from './open.js';

export interface CaseUpdate {
  /** An asset by id or serial number. */
  asset?: string | null;
  /** The user changing the case: needs Edit. */
  as?: string | null;
}

export function updateCaseRequest(db: Db, number: string, change: CaseUpdate, now = Date.now()): CaseRow {
  return transaction(db, () => {
    if (change.as) requireUserAllowed(db, change.as, 'edit', `edit case ${number.trim()}`);
    const row = requireCase(db, number);
    if (change.asset == null) throw invalid('nothing to change; give --asset ID|SERIAL');
    const asset = requireAsset(db, change.asset);
    requireAssetFits(asset, row);
    setCaseAsset(db, row.id, asset.id, now);
    return caseById(db, row.id) as CaseRow;
  });
}
