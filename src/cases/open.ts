// Opening a case (SPEC §2.1–2.6), for the CLI, mail and HTTP alike: the rules, the insert and the
// "case created" notifications, in the caller's transaction. Returns the row.
import type { Config } from '../config.js';
import { transaction, type Db } from '../db/client.js';
import { insertCase, type CaseRow } from '../db/cases.js';
import type { ContactRow } from '../db/contacts.js';
import type { AssetRow } from '../db/assets.js';
import { allRules } from '../db/rules.js';
import { chooseOwner } from '../domain/assignment.js';
import { checkAssetForCase, type AssetOwner } from '../domain/assets.js';
import { caseDefaults, checkEligibility, initialStatus, type Priority } from '../domain/caseRules.js';
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

export function openCase(db: Db, config: Pick<Config, 'domain'>, input: OpenCase, now: number): CaseRow {
  const subject = input.subject.trim();
  if (subject === '') throw invalid('a case needs a subject; give --subject "..."');
  requireEligible(input.contact);
  const { accountId, division } = caseDefaults(input.contact, { accountId: input.accountId });
  if (input.asset) requireAssetFits(input.asset, { contactId: input.contact?.id ?? null, accountId });
  const { status, closedWhenCreated } = initialStatus(input.closed);
  const owner = chooseOwner({
    explicitOwnerId: input.ownerId,
    assign: input.assign,
    rules: allRules(db).map((r) => ({ ...r, order: r.sortOrder })),
    facts: { subject, fromEmail: input.supplied?.email ?? input.contact?.email ?? null, priority: input.priority, accountId },
    defaultOwnerId: input.defaultOwnerId,
    creatorId: input.creatorId,
  });
  return transaction(db, () => {
    const row = insertCase(
      db,
      {
        subject,
        description: input.description,
        status,
        priority: input.priority,
        origin: input.origin,
        contactId: input.contact?.id ?? null,
        accountId,
        ownerId: owner.ownerId,
        parentId: input.parent?.id ?? null,
        assetId: input.asset?.id ?? null,
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
    if (input.notify) {
      enqueueNotification(db, { caseId: row.id, commentId: null, kind: 'case-created', recipients: participantsOf(db, row).all }, config.domain, now);
    }
    return row;
  });
}
