// Assets: what a contact or an account owns (Salesforce Asset), with name, serial number, product,
// install date and status. A serial number is unique, compared case-insensitively.
import { mapInTurn, type Tx } from '../db/engine.js';
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

export async function assetRecord(tx: Tx, row: AssetRow): Promise<AssetRecord> {
  const product = row.productId === null ? undefined : await productById(tx, row.productId);
  const contact = row.contactId === null ? undefined : await contactById(tx, row.contactId);
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

export async function createAsset(tx: Tx, input: NewAsset, now = Date.now()): Promise<AssetRecord> {
  if ((input.contact == null) === (input.account == null)) {
    throw invalid('an asset belongs to a contact or to an account; give one of --contact EMAIL or --account ID');
  }
  const owner = input.contact != null ? ownerOfContact(await requireContact(tx, input.contact)) : { contactId: null, accountId: (await requireAccount(tx, input.account as string, '--account')).id };
  return await assetRecord(tx, await insertNewAsset(tx, input, owner, now));
}

const ownerOfContact = (c: ContactRow): { contactId: number; accountId: number | null } => ({ contactId: c.id, accountId: c.accountId });

/** Checks the details and inserts the asset for `owner`; used by `asset create` and by `case create --new-asset`. */
export async function insertNewAsset(tx: Tx, input: AssetDetails, owner: { contactId: number | null; accountId: number | null }, now: number): Promise<AssetRow> {
  const name = input.name.replace(/\s+/g, ' ').trim();
  if (name === '') throw invalid('an asset needs a name; give it as in --name "Printer 3rd floor"');
  const serial = input.serial?.trim() || null;
  if (serial !== null) {
    const same = await assetBySerial(tx, serial);
    if (same) throw conflict(`serial number ${same.serial} is already asset ${same.id} ("${same.name}"); name that asset, or check the serial`);
  }
  const product = input.product ? await requireProduct(tx, input.product) : null;
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
  return await insertAsset(tx, { name, serial, productId: product?.id ?? null, ...owner, installDate, status }, now);
}

/**
 * `asset list`: every asset, or the lookup of a case: with --contact, the assets its cases may
 * name (its own first); with --search, those whose name or serial contains the text.
 */
export async function listAssets(tx: Tx, filter: { contact?: string | null; search?: string | null } = {}): Promise<AssetRecord[]> {
  const contact = filter.contact ? ownerOfContact(await requireContact(tx, filter.contact)) : null;
  return mapInTurn(lookupAssets(await allAssets(tx), { contact, search: filter.search ?? null }), (row) => assetRecord(tx, row));
}

/** An asset by id or serial number (an id first when the text is a number). */
export async function requireAsset(tx: Tx, ref: string): Promise<AssetRow> {
  const text = ref.trim();
  const id = parseId(text);
  const found = (id === null ? undefined : await assetById(tx, id)) ?? (text === '' ? undefined : await assetBySerial(tx, text));
  if (!found) throw notFound(`no asset with id or serial number "${text}"; find it with "casegate asset list --search TEXT"`);
  return found;
}

/** `asset show`: the asset, its owner's account name and the cases that name it. */
export async function showAsset(tx: Tx, ref: string) {
  const row = await requireAsset(tx, ref);
  const account = row.accountId === null ? undefined : await accountById(tx, row.accountId);
  return { ...(await assetRecord(tx, row)), accountName: account?.name ?? null, cases: await caseNumbersOfAsset(tx, row.id) };
}
