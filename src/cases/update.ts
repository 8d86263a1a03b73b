// `case update NUMBER` and `case assign`, and PATCH /api/v1/cases/NUMBER: changes of a case's own
// fields asked for by a person, references resolved as typed: its owner (a user), priority and
// status (those its record type allows), its asset (of the case's account or contact) and the
// values of its record type's custom fields. Owner, priority and status changes are case history
// entries. The SPEC sends no notification for them: participants hear of comments, not of fields.
import type { Tx } from '../db/engine.js';
import { caseById, lockCase, setCaseAsset, setCaseOwner, setCasePriority, touchCase, type CaseRow } from '../db/cases.js';
import { fieldsOfCase, setCaseFields } from '../db/caseFields.js';
import { insertHistory, type HistoryEntry } from '../db/caseHistory.js';
import { recordTypeById, type RecordTypeRow } from '../db/recordTypes.js';
import { retireReplyAddresses } from '../db/replyAddresses.js';
import { userByEmail, userById } from '../db/users.js';
import { checkPriority, checkStatus } from '../domain/caseChanges.js';
import { invalid } from '../errors.js';
import { requireAsset } from '../admin/assets.js';
import { requireUserAllowed } from '../admin/permissions.js';
import { checkEmail } from '../admin/input.js';
import { requireCase } from './find.js';
import { requireAssetFits, requireFieldValues } from './open.js';
import { requireAssignments } from './request.js';
import { changeStatus } from './status.js';

export interface CaseUpdate {
  /** A user's email: the new owner. */
  owner?: string | null;
  /** High, Medium or Low (those of the case's record type), any letter case. */
  priority?: string | null;
  /** New, Working, Escalated or Closed (those of the case's record type), any letter case. */
  status?: string | null;
  /** An asset by id or serial number. */
  asset?: string | null;
  /** Values of custom fields as `KEY=VALUE`; an empty value clears an optional field. */
  fields?: readonly string[];
  /** The user changing the case: needs Edit. */
  as?: string | null;
  /** Who the history names when `as` is not given: `operator` at the CLI, `API key NAME` over HTTP. */
  actor?: string;
}

const NOTHING = 'nothing to change; give --owner EMAIL, --priority P, --status S, --asset ID|SERIAL or --field KEY=VALUE';

const given = (v: string | null | undefined): v is string => v !== undefined && v !== null;

async function recordTypeOf(tx: Tx, row: CaseRow): Promise<RecordTypeRow | null> {
  return row.recordTypeId === null ? null : ((await recordTypeById(tx, row.recordTypeId)) ?? null);
}

/** Applies every change or none (the caller's transaction); returns the case afterwards. */
export async function updateCaseRequest(tx: Tx, number: string, change: CaseUpdate, now = Date.now()): Promise<CaseRow> {
  const user = change.as ? await requireUserAllowed(tx, change.as, 'edit', `edit case ${number.trim()}`) : null;
  const actor = user?.email ?? change.actor ?? 'operator';
  let row = await requireCase(tx, number);
  const values = requireAssignments(change.fields ?? []);
  const fieldsGiven = Object.keys(values).length > 0;
  if (![change.owner, change.priority, change.status, change.asset].some(given) && !fieldsGiven) throw invalid(NOTHING);
  // Read again under the case's lock (PostgreSQL), so that two changes at once apply one after the other.
  await lockCase(tx, row.id);
  row = (await caseById(tx, row.id)) as CaseRow;
  const recordType = await recordTypeOf(tx, row);
  // Every value is checked before anything is written, so that a refusal names the first problem
  // and leaves the case as it was.
  const status = given(change.status) ? required(checkStatus(recordType, change.status)).status : null;
  const priority = given(change.priority) ? required(checkPriority(recordType, change.priority)).priority : null;
  const owner = given(change.owner) ? await requireOwner(tx, change.owner) : null;
  const asset = given(change.asset) ? await requireAsset(tx, change.asset) : null;
  if (asset !== null) requireAssetFits(asset, row);
  const fields = fieldsGiven ? requireFieldValues(recordType, values, await fieldsOfCase(tx, row.id)) : null;

  const history: HistoryEntry[] = [];
  if (owner !== null && owner.id !== row.ownerId) {
    const before = row.ownerId === null ? null : ((await userById(tx, row.ownerId)) ?? null);
    await setCaseOwner(tx, row.id, owner.id, now);
    // The former owner's reply address stops working, as a removed collaborator's does.
    if (before !== null) await retireReplyAddresses(tx, row.id, 'owner', before.emailLower, now);
    history.push({ field: 'owner', oldValue: before?.email ?? null, newValue: owner.email, actor });
  }
  if (priority !== null && priority !== row.priority) {
    await setCasePriority(tx, row.id, priority, now);
    history.push({ field: 'priority', oldValue: row.priority, newValue: priority, actor });
  }
  await insertHistory(tx, row.id, history, now);
  if (status !== null) row = await changeStatus(tx, row, status, actor, now);
  if (asset !== null) await setCaseAsset(tx, row.id, asset.id, now);
  if (fields !== null) {
    await setCaseFields(tx, row.id, fields);
    await touchCase(tx, row.id, now);
  }
  return await caseById(tx, row.id) as CaseRow;
}

function required<T extends object>(checked: T | { problem: string }): T {
  if ('problem' in checked) throw invalid(checked.problem);
  return checked;
}

/** The new owner: a user (SPEC §2.5: users own cases); anyone else is a value refused, not a missing record. */
async function requireOwner(tx: Tx, email: string) {
  const address = checkEmail(email, 'owner email');
  const user = await userByEmail(tx, address);
  if (!user) throw invalid(`owner ${address} is not a user; create it with "casegate user create --email ${address} --name NAME" or list users with "casegate user list"`);
  return user;
}
