// The `assets` table: what contacts and accounts own. A serial number is unique, compared
// case-insensitively.
import type { Tx } from './engine.js';
import type { assets } from './schema.js';

export type AssetRow = typeof assets.$inferSelect;
export type NewAssetRow = Omit<AssetRow, 'id' | 'serialLower' | 'createdAt'>;

const COLUMNS = `id, name, serial, serial_lower AS "serialLower", product_id AS "productId", contact_id AS "contactId",
  account_id AS "accountId", install_date AS "installDate", status, created_at AS "createdAt"`;

export async function insertAsset(tx: Tx, a: NewAssetRow, now: number): Promise<AssetRow> {
  return (await tx.get<AssetRow>(
    `INSERT INTO assets (name, serial, serial_lower, product_id, contact_id, account_id, install_date, status, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
    [a.name, a.serial, a.serial?.toLowerCase() ?? null, a.productId, a.contactId, a.accountId, a.installDate, a.status, now],
  )) as AssetRow;
}

export function assetById(tx: Tx, id: number): Promise<AssetRow | undefined> {
  return tx.get<AssetRow>(`SELECT ${COLUMNS} FROM assets WHERE id = ?`, [id]);
}

export function assetBySerial(tx: Tx, serial: string): Promise<AssetRow | undefined> {
  return tx.get<AssetRow>(`SELECT ${COLUMNS} FROM assets WHERE serial_lower = ?`, [serial.toLowerCase()]);
}

export function allAssets(tx: Tx): Promise<AssetRow[]> {
  return tx.all<AssetRow>(`SELECT ${COLUMNS} FROM assets ORDER BY id`);
}
