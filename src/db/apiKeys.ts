// The `api_keys` table: keys of the HTTP API, by the SHA-256 of the key (never the key itself).
import type { Tx } from './engine.js';
import type { apiKeys } from './schema.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

const COLUMNS = 'id, name, prefix, key_hash AS "keyHash", permissions, created_at AS "createdAt", revoked_at AS "revokedAt"';

export async function insertApiKey(tx: Tx, k: Pick<ApiKeyRow, 'name' | 'prefix' | 'keyHash' | 'permissions'>, now: number): Promise<ApiKeyRow> {
  return (await tx.get<ApiKeyRow>(
    `INSERT INTO api_keys (name, prefix, key_hash, permissions, created_at) VALUES (?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
    [k.name, k.prefix, k.keyHash, k.permissions, now],
  )) as ApiKeyRow;
}

export function apiKeyByHash(tx: Tx, keyHash: string): Promise<ApiKeyRow | undefined> {
  return tx.get<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = ?`, [keyHash]);
}

export function apiKeyById(tx: Tx, id: number): Promise<ApiKeyRow | undefined> {
  return tx.get<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`, [id]);
}

export function allApiKeys(tx: Tx): Promise<ApiKeyRow[]> {
  return tx.all<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys ORDER BY id`);
}

export async function setApiKeyRevoked(tx: Tx, id: number, now: number): Promise<void> {
  await tx.run('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, id]);
}
