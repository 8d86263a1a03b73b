// `case clone NUMBER`: a new case with the same contact, account, asset, record type and field
// values, subject, description, priority and origin as another (Salesforce Clone); not its comments, collaborators, owner or
// status. It opens as any case a person opens, so every rule of case creation applies again.
import type { Config } from '../config.js';
import type { Tx } from '../db/engine.js';
import type { CaseRow } from '../db/cases.js';
import { fieldsOfCase } from '../db/caseFields.js';
import { recordTypeById } from '../db/recordTypes.js';
import { requireUserAllowed } from '../admin/permissions.js';
import { requireCase } from './find.js';
import { openCaseRequest } from './request.js';

export interface CloneRequest {
  /** The user cloning: needs Create (and becomes the creator, as with `case create --as`). */
  as?: string | null;
  notify?: boolean;
}

export async function cloneCaseRequest(tx: Tx, config: Pick<Config, 'domain' | 'defaultOwner'>, number: string, r: CloneRequest, now = Date.now()): Promise<CaseRow> {
  if (r.as) await requireUserAllowed(tx, r.as, 'read', 'view cases');
  const source = await requireCase(tx, number);
  return await openCaseRequest(
    tx,
    config,
    {
      subject: source.subject,
      description: source.description,
      contact: source.contactId === null ? null : String(source.contactId),
      account: source.accountId,
      asset: source.assetId === null ? null : String(source.assetId),
      priority: source.priority,
      origin: source.origin,
      recordType: source.recordTypeId === null ? null : ((await recordTypeById(tx, source.recordTypeId))?.name ?? null),
      fields: Object.entries(await fieldsOfCase(tx, source.id)).map(([k, v]) => `${k}=${v}`),
      notify: r.notify,
      as: r.as ?? null,
    },
    now,
  );
}
