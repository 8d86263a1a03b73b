// Assets: what a contact or an account owns (Salesforce Asset), with name, serial number, product,
// install date and status. A serial number is unique, compared case-insensitively.
import type { Db } from '../db/client.js';
import { allAssets, assetById, assetBySerial, insertAsset, type AssetRow } from '../db/assets.js';
import { caseNumbersOfAsset } from '../db/cases.js';
import { accountById } from '../db/accounts.js';
import { contactById, type ContactRow } from '../db/contacts.js';
import { productById } from '../db/products.js';
import { ASSET_STATUSES, isCalendarDate, lookupAssets, parseAssetStatus, type AssetStatus } from '../domain/assets.js';
import { parseId } from '../domain/ids.js';
import { conflict, invalid, notFound } from '../errors.js';
import { requireAccount } from './accounts.js';
import { requireContact } from './contacts.js';
import { requireProduct } from './products.js';

export interface AssetRecord {
  id: number;
  name: string;
  serial: string | null;
  product: { code: string; name: string } | null;
  /** The owning contact's email, or null for an asset of an account alone. */
  contact: string | null;
  account: number | null;
  installDate: string | null;
  status: string;
  createdAt: string;
}

export function assetRecord(db: Db, row: AssetRow): AssetRecord {
  const product = row.productId === null ? undefined : productById(db, row.productId);
  const contact = row.contactId === null ? undefined : contactById(db, row.contactId);
  return {
    id: row.id,
    name: row.name,
    serial: row.serial,
    product: product ? { code: product.code, name: product.name } : null,
    contact: contact?.email ?? null,
    account: row.accountId,
    installDate: row.installDate,
    status: row.status,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

/** The details of a new asset as typed; its owner is given apart. */
export interface AssetDetails {
  name: string;
  serial?: string | null;
  /** A product code. */
  product?: string | null;
  /** `YYYY-MM-DD`. */
  installed?: string | null;
  status?: string | null;
}

export interface NewAsset extends AssetDetails {
  /** Owner: a contact by id or email, or an account by id; exactly one. */
  contact?: string | null;
  account?: string | null;
}

export function createAsset(db: Db, input: NewAsset, now = Date.now()): AssetRecord {
  if ((input.contact == null) === (input.account == null)) {
    throw invalid('an asset belongs to a contact or to an account; give one of --contact EMAIL or --account ID');
  }
  const owner = input.contact != null ? ownerOfContact(requireContact(db, input.contact)) : { contactId: null, accountId: requireAccount(db, input.account as string, '--account').id };
  return assetRecord(db, insertNewAsset(db, input, owner, now));
}

const ownerOfContact = (c: ContactRow): { contactId: number; accountId: number | null } => ({ contactId: c.id, accountId: c.accountId });

/** Checks the details and inserts the asset for `owner`; used by `asset create` and by `case create --new-asset`. */
export function insertNewAsset(db: Db, input: AssetDetails, owner: { contactId: number | null; accountId: number | null }, now: number): AssetRow {
  const name = input.name.replace(/\s+/g, ' ').trim();
  if (name === '') throw invalid('an asset needs a name; give it as in --name "Printer 3rd floor"');
  const serial = input.serial?.trim() || null;
  if (serial !== null) {
    const same = assetBySerial(db, serial);
    if (same) throw conflict(`serial number ${same.serial} is already asset ${same.id} ("${same.name}"); name that asset, or check the serial`);
  }
  const product = input.product ? requireProduct(db, input.product) : null;
  const installDate = input.installed?.trim() || null;
  if (installDate !== null && !isCalendarDate(installDate)) {
    throw invalid(`install date "${input.installed}" is not a date; give it as YYYY-MM-DD, e.g. --installed 2024-03-31`);
  }
  let status: AssetStatus = 'Installed';
  if (input.status != null) {
    const parsed = parseAssetStatus(input.status);
    if (parsed === null) throw invalid(`asset status "${input.status}" is not one of ${ASSET_STATUSES.join(', ')}; give one of them`);
    status = parsed;
  }
  return insertAsset(db, { name, serial, productId: product?.id ?? null, ...owner, installDate, status }, now);
}

/**
 * `asset list`: every asset, or the lookup of a case: with --contact, the assets its cases may
 * name (its own first); with --search, those whose name or serial contains the text.
 */
export function listAssets(db: Db, filter: { contact?: string | null; search?: string | null } = {}): AssetRecord[] {
  const contact = filter.contact ? ownerOfContact(requireContact(db, filter.contact)) : null;
  return lookupAssets(allAssets(db), { contact, search: filter.search ?? null }).map((row) => assetRecord(db, row));
}

/** An asset by id or serial number (an id first when the text is a number). */
export function requireAsset(db: Db, ref: string): AssetRow {
  const text = ref.trim();
  const id = parseId(text);
  const found = (id === null ? undefined : assetById(db, id)) ?? (text === '' ? undefined : assetBySerial(db, text));
  if (!found) throw notFound(`no asset with id or serial number "${text}"; find it with "casegate asset list --search TEXT"`);
  return found;
}

/** `asset show`: the asset, its owner's account name and the cases that name it. */
export function showAsset(db: Db, ref: string) {
  const row = requireAsset(db, ref);
  const account = row.accountId === null ? undefined : accountById(db, row.accountId);
  return { ...assetRecord(db, row), accountName: account?.name ?? null, cases: caseNumbersOfAsset(db, row.id) };
}
