// The `products` table: the catalogue assets name. A code is unique, compared case-insensitively.
import { statement, type Db } from './client.js';
import type { products } from './schema.js';

export type ProductRow = typeof products.$inferSelect;

const COLUMNS = 'id, name, code, code_lower AS codeLower, created_at AS createdAt';

export function insertProduct(db: Db, p: { name: string; code: string }, now: number): ProductRow {
  return statement<[string, string, string, number], ProductRow>(
    db,
    `INSERT INTO products (name, code, code_lower, created_at) VALUES (?, ?, ?, ?) RETURNING ${COLUMNS}`,
  ).get(p.name, p.code, p.code.toLowerCase(), now) as ProductRow;
}

export function productById(db: Db, id: number): ProductRow | undefined {
  return statement<[number], ProductRow>(db, `SELECT ${COLUMNS} FROM products WHERE id = ?`).get(id);
}

export function productByCode(db: Db, code: string): ProductRow | undefined {
  return statement<[string], ProductRow>(db, `SELECT ${COLUMNS} FROM products WHERE code_lower = ?`).get(code.toLowerCase());
}

export function allProducts(db: Db): ProductRow[] {
  return statement<[], ProductRow>(db, `SELECT ${COLUMNS} FROM products ORDER BY id`).all();
}
