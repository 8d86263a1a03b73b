// The `products` table: the catalogue assets name. A code is unique, compared case-insensitively.
import type { Tx } from './engine.js';
import type { products } from './schema.js';

export type ProductRow = typeof products.$inferSelect;

const COLUMNS = 'id, name, code, code_lower AS "codeLower", created_at AS "createdAt"';

export async function insertProduct(tx: Tx, p: { name: string; code: string }, now: number): Promise<ProductRow> {
  return (await tx.get<ProductRow>(`INSERT INTO products (name, code, code_lower, created_at) VALUES (?, ?, ?, ?) RETURNING ${COLUMNS}`, [
    p.name,
    p.code,
    p.code.toLowerCase(),
    now,
  ])) as ProductRow;
}

export function productById(tx: Tx, id: number): Promise<ProductRow | undefined> {
  return tx.get<ProductRow>(`SELECT ${COLUMNS} FROM products WHERE id = ?`, [id]);
}

export function productByCode(tx: Tx, code: string): Promise<ProductRow | undefined> {
  return tx.get<ProductRow>(`SELECT ${COLUMNS} FROM products WHERE code_lower = ?`, [code.toLowerCase()]);
}

export function allProducts(tx: Tx): Promise<ProductRow[]> {
  return tx.all<ProductRow>(`SELECT ${COLUMNS} FROM products ORDER BY id`);
}
