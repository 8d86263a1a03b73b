// Opening a case (SPEC §2.1–2.6), for the CLI, mail and HTTP alike: the rules, the insert and the
// "case created" notifications, in the caller's transaction. Returns the row.
import type { Config } from '../config.js';
import type { Tx } from '../db/engine.js';
import { insertCase, type CaseRow } from '../db/cases.js';
import type { ContactRow } from '../db/contacts.js';
import type { AssetRow } from '../db/assets.js';
import { setCaseFields } from '../db/caseFields.js';
import type { RecordTypeRow } from '../db/recordTypes.js';
import { allowedOrigin, allowsPriority, allowsStatus, checkFieldValues } from '../domain/recordTypes.js';
import { allRules } from '../db/rules.js';
import { userByEmail } from '../db/users.js';
import { chooseOwner } from '../domain/assignment.js';
import { checkAssetForCase, type AssetOwner } from '../domain/assets.js';
import { caseDefaults, checkEligibility, initialStatus, type CaseStatus, type Priority } from '../domain/caseRules.js';
import { newToken } from '../domain/mailNames.js';
import { invalid } from '../errors.js';
import { enqueueNotification } from './notify.js';
import { participantsOf } from './participants.js';

export interface OpenCase {
  subject: string;
  description: string;
  contact: ContactRow | null;
  /** An explicit account; by default the contact's. */
  accountId: number | null;
  parent: CaseRow | null;
  /** The asset the case is about; it must be of the case's account (or contact). */
  asset: AssetRow | null;
  /** Record type: the priority, origin and status must be ones it allows and `fields` fit its fields. */
  recordType: RecordTypeRow | null;
  /** Values of the record type's custom fields by key, as typed; {} without a record type. */
  fields: Readonly<Record<string, string>>;
  priority: Priority;
  origin: string;
  /** Explicit owner (`--owner`, the routing address's owner). */
  ownerId: number | null;
  /** Run assignment rules (default); off: the creator owns the case. */
  assign: boolean;
  creatorId: number | null;
  /** The default case owner's user id; null when none is set or it names no user. */
  defaultOwnerId: number | null;
  closed: boolean;
  /** Send the "case created" email. */
  notify: boolean;
  /** Sender of the mail that opened the case (Salesforce SuppliedEmail), kept while unlinked. */
  supplied: { email: string; name: string } | null;
  /** Message-ID of the mail that opened the case; null: one of ours. */
  threadRoot: string | null;
}

/** SPEC §2.1: a contact not eligible for support can have no case. */
export function requireEligible(contact: ContactRow | null): void {
  if (checkEligibility(contact) === 'not-eligible') {
    throw invalid(`contact ${contact?.email} is not eligible for support; open the case without a contact or make the contact eligible`);
  }
}

/** An asset of another account (or, for an asset of a contact alone, of another contact) is refused. */
export function requireAssetFits(asset: AssetRow, kase: AssetOwner): void {
  const problem = checkAssetForCase(asset, kase);
  if (problem === null) return;
  const whose = problem === 'other-account' ? `account ${asset.accountId}` : `contact ${asset.contactId}`;
  const cases = problem === 'other-account' ? (kase.accountId === null ? 'a case without account' : `a case of account ${kase.accountId}`) : kase.contactId === null ? 'a case without contact' : `a case of contact ${kase.contactId}`;
  throw invalid(`asset ${asset.id} ("${asset.name}") belongs to ${whose}, so ${cases} cannot name it; pick one from "casegate asset list --contact EMAIL"`);
}

/**
 * The values a case of `rt` keeps for `given` (on top of `current`), or a refusal naming every
 * problem. Without a record type a case has no fields.
 */
export function requireFieldValues(
  rt: RecordTypeRow | null,
  given: Readonly<Record<string, string>>,
  current: Readonly<Record<string, string>> = {},
): Record<string, string> {
  if (rt === null) {
    if (Object.keys(given).length > 0) throw invalid('a case without record type has no fields; give --record-type NAME, whose fields "casegate recordtype show NAME" lists');
    return {};
  }
  const checked = checkFieldValues(rt.fields, given, current);
  if ('problems' in checked) {
    throw invalid(`record type "${rt.name}": ${checked.problems.join('; ')}; give each as --field KEY=VALUE, see "casegate recordtype show ${rt.name}"`);
  }
  return checked.values;
}

/** The origin in the record type's spelling; a priority, origin or status it does not allow is refused. */
function requireAllowed(rt: RecordTypeRow | null, c: { priority: Priority; origin: string; status: CaseStatus }): string {
  if (rt === null) return c.origin;
  const why = `is not allowed by record type "${rt.name}"; give one of`;
  if (!allowsPriority(rt, c.priority)) throw invalid(`priority ${c.priority} ${why} ${rt.priorities?.join(', ')}`);
  const origin = allowedOrigin(rt, c.origin);
  if (origin === null) throw invalid(`origin ${c.origin} ${why} ${rt.origins?.join(', ')}`);
  if (!allowsStatus(rt, c.status)) throw invalid(`status ${c.status} ${why} ${rt.statuses?.join(', ')}`);
  return origin;
}

export async function openCase(tx: Tx, config: Pick<Config, 'domain'>, input: OpenCase, now: number): Promise<CaseRow> {
  const subject = input.subject.trim();
  if (subject === '') throw invalid('a case needs a subject; give --subject "..."');
  requireEligible(input.contact);
  const { accountId, division } = caseDefaults(input.contact, { accountId: input.accountId });
  if (input.asset) requireAssetFits(input.asset, { contactId: input.contact?.id ?? null, accountId });
  const { status, closedWhenCreated } = initialStatus(input.closed);
  const origin = requireAllowed(input.recordType, { priority: input.priority, origin: input.origin, status });
  const fields = requireFieldValues(input.recordType, input.fields);
  const owner = chooseOwner({
    explicitOwnerId: input.ownerId,
    assign: input.assign,
    rules: (await allRules(tx)).map((r) => ({ ...r, order: r.sortOrder })),
    facts: { subject, fromEmail: input.supplied?.email ?? input.contact?.email ?? null, priority: input.priority, accountId },
    defaultOwnerId: input.defaultOwnerId,
    creatorId: input.creatorId,
  });
  const row = await insertCase(
    tx,
    {
      subject,
      description: input.description,
      status,
      priority: input.priority,
      origin,
      contactId: input.contact?.id ?? null,
      accountId,
      ownerId: owner.ownerId,
      parentId: input.parent?.id ?? null,
      assetId: input.asset?.id ?? null,
      recordTypeId: input.recordType?.id ?? null,
      division,
      closedWhenCreated,
      addressToken: newToken(),
      threadRoot: input.threadRoot,
      suppliedEmail: input.supplied?.email ?? null,
      suppliedName: input.supplied?.name ?? null,
      closedAt: closedWhenCreated ? now : null,
    },
    config.domain,
    now,
  );
  if (Object.keys(fields).length > 0) await setCaseFields(tx, row.id, fields);
  if (input.notify) {
    const parties = await participantsOf(tx, row);
    await enqueueNotification(
      tx,
      { caseId: row.id, commentId: null, kind: 'case-created', recipients: parties.all, collaborators: parties.collaborators },
      config.domain,
      now,
    );
  }
  return row;
}

/** A case asked for from outside by a customer (API escalation, Web-to-Case). */
export interface IncomingCase {
  subject: string;
  description: string;
  contact: ContactRow | null;
  priority: Priority;
  origin: string;
  /** The sender, kept while the case has no contact. */
  supplied: { email: string; name: string } | null;
}

/**
 * Opens a case by the rules of mail: assignment rules, then the default owner when it names a user
 * (a setting that names none never refuses the case: it opens without an owner), the "case created"
 * email, no parent, asset or record type.
 */
export async function openIncomingCase(tx: Tx, config: Pick<Config, 'domain' | 'defaultOwner'>, c: IncomingCase, now: number): Promise<CaseRow> {
  const defaultOwner = config.defaultOwner === null ? undefined : await userByEmail(tx, config.defaultOwner);
  return await openCase(
    tx,
    config,
    {
      ...c,
      accountId: null,
      parent: null,
      ownerId: null,
      assign: true,
      creatorId: null,
      defaultOwnerId: defaultOwner?.id ?? null,
      closed: false,
      notify: true,
      threadRoot: null,
      asset: null,
      recordType: null,
      fields: {},
    },
    now,
  );
}
