// Assets (Salesforce Asset): what a customer owns, named on a case. Pure rules: the statuses and
// install date an asset may have, whose assets a case may name, and the order of the asset lookup.

export const ASSET_STATUSES = Object.freeze(['Purchased', 'Shipped', 'Installed', 'Registered', 'Obsolete'] as const);
export type AssetStatus = (typeof ASSET_STATUSES)[number];

export function parseAssetStatus(value: string): AssetStatus | null {
  return ASSET_STATUSES.find((s) => s.toLowerCase() === value.trim().toLowerCase()) ?? null;
}

/** A calendar date written `YYYY-MM-DD` that exists (no 2024-02-30). */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Whose an asset is: a contact (and that contact's account), or an account alone. */
export interface AssetOwner {
  contactId: number | null;
  accountId: number | null;
}

/**
 * Whether a case may name an asset: an asset of an account belongs on that account's cases; an
 * asset of a contact without an account, on that contact's cases. Anything else is refused.
 */
export function checkAssetForCase(asset: AssetOwner, kase: AssetOwner): 'other-account' | 'other-contact' | null {
  if (asset.accountId !== null) return asset.accountId === kase.accountId ? null : 'other-account';
  return asset.contactId !== null && asset.contactId === kase.contactId ? null : 'other-contact';
}

export interface LookupAsset extends AssetOwner {
  id: number;
  name: string;
  serial: string | null;
}

/**
 * The asset lookup of a case (as in Salesforce): with a contact, the assets that contact's cases
 * may name, the contact's own first; a search keeps the assets whose name or serial contains the
 * text (letter case ignored). Within each group, by name.
 */
export function lookupAssets<A extends LookupAsset>(assets: readonly A[], by: { contact: AssetOwner & { contactId: number } | null; search: string | null }): A[] {
  const text = by.search?.trim().toLowerCase() ?? '';
  const contact = by.contact;
  const found = assets.filter(
    (a) =>
      (contact === null || checkAssetForCase(a, contact) === null) &&
      (text === '' || a.name.toLowerCase().includes(text) || (a.serial ?? '').toLowerCase().includes(text)),
  );
  const own = (a: A): number => (contact !== null && a.contactId === contact.contactId ? 0 : 1);
  return found.sort((a, b) => own(a) - own(b) || a.name.localeCompare(b.name) || a.id - b.id);
}
