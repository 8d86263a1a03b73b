// The `api_keys` table: keys of the HTTP API, by the SHA-256 of the key (never the key itself).
import { statement, type Db } from './client.js';
import type { apiKeys } from './schema.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

const COLUMNS = 'id, name, prefix, key_hash AS keyHash, permissions, created_at AS createdAt, revoked_at AS revokedAt';

export function insertApiKey(db: Db, k: Pick<ApiKeyRow, 'name' | 'prefix' | 'keyHash' | 'permissions'>, now: number): ApiKeyRow {
  return statement<unknown[], ApiKeyRow>(
    db,
    `INSERT INTO api_keys (name, prefix, key_hash, permissions, created_at) VALUES (?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
  ).get(k.name, k.prefix, k.keyHash, k.permissions, now) as ApiKeyRow;
}

export function apiKeyByHash(db: Db, keyHash: string): ApiKeyRow | undefined {
  return statement<[string], ApiKeyRow>(db, `SELECT ${COLUMNS} FROM api_keys WHERE key_hash = ?`).get(keyHash);
}

export function apiKeyById(db: Db, id: number): ApiKeyRow | undefined {
  return statement<[number], ApiKeyRow>(db, `SELECT ${COLUMNS} FROM api_keys WHERE id = ?`).get(id);
}

export function allApiKeys(db: Db): ApiKeyRow[] {
  return statement<[], ApiKeyRow>(db, `SELECT ${COLUMNS} FROM api_keys ORDER BY id`).all();
}

export function setApiKeyRevoked(db: Db, id: number, now: number): void {
  statement<[number, number], unknown>(db, 'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id);
}
