// The `assets` table: what contacts and accounts own. A serial number is unique, compared
// case-insensitively.
import { statement, type Db } from './client.js';
import type { assets } from './schema.js';

export type AssetRow = typeof assets.$inferSelect;
export type NewAssetRow = Omit<AssetRow, 'id' | 'serialLower' | 'createdAt'>;

const COLUMNS = `id, name, serial, serial_lower AS serialLower, product_id AS productId, contact_id AS contactId,
  account_id AS accountId, install_date AS installDate, status, created_at AS createdAt`;

export function insertAsset(db: Db, a: NewAssetRow, now: number): AssetRow {
  return statement<unknown[], AssetRow>(
    db,
    `INSERT INTO assets (name, serial, serial_lower, product_id, contact_id, account_id, install_date, status, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
  ).get(a.name, a.serial, a.serial?.toLowerCase() ?? null, a.productId, a.contactId, a.accountId, a.installDate, a.status, now) as AssetRow;
}

export function assetById(db: Db, id: number): AssetRow | undefined {
  return statement<[number], AssetRow>(db, `SELECT ${COLUMNS} FROM assets WHERE id = ?`).get(id);
}

export function assetBySerial(db: Db, serial: string): AssetRow | undefined {
  return statement<[string], AssetRow>(db, `SELECT ${COLUMNS} FROM assets WHERE serial_lower = ?`).get(serial.toLowerCase());
}

export function allAssets(db: Db): AssetRow[] {
  return statement<[], AssetRow>(db, `SELECT ${COLUMNS} FROM assets ORDER BY id`).all();
}
