// Products: the small catalogue an asset may name (Salesforce Product). A code is unique,
// compared case-insensitively.
import type { Tx } from '../db/engine.js';
import { allProducts, insertProduct, productByCode, type ProductRow } from '../db/products.js';
import { conflict, invalid, notFound } from '../errors.js';

export interface ProductRecord {
  id: number;
  name: string;
  code: string;
  createdAt: string;
}

export function productRecord(row: ProductRow): ProductRecord {
  return { id: row.id, name: row.name, code: row.code, createdAt: new Date(row.createdAt).toISOString() };
}

export async function createProduct(tx: Tx, input: { name: string; code: string }, now = Date.now()): Promise<ProductRecord> {
  const name = input.name.replace(/\s+/g, ' ').trim();
  if (name === '') throw invalid('a product needs a name; give --name "Laser Printer 9000"');
  const code = input.code.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(code)) {
    throw invalid(`product code "${input.code}" is not a code; give letters, digits, ".", "_" or "-", e.g. --code LP-9000`);
  }
  const same = await productByCode(tx, code);
  if (same) throw conflict(`product code ${same.code} is taken by "${same.name}" (id ${same.id}); choose another code`);
  return productRecord(await insertProduct(tx, { name, code }, now));
}

export async function listProducts(tx: Tx): Promise<ProductRecord[]> {
  return (await allProducts(tx)).map(productRecord);
}

/** The product with this code (letter case ignored), or an error that says how to find one. */
export async function requireProduct(tx: Tx, code: string): Promise<ProductRow> {
  const product = await productByCode(tx, code.trim());
  if (!product) throw notFound(`no product with code "${code.trim()}"; list products with "casegate product list" or create one with "casegate product create"`);
  return product;
}
