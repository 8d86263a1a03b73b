// API keys (SPEC §8): `apikey create` makes a key, prints it once and keeps only its SHA-256;
// `apikey revoke` ends it; the HTTP server finds the key of a request by the hash of what it sent.
import crypto from 'node:crypto';
import type { Tx } from '../db/engine.js';
import { allApiKeys, apiKeyByHash, apiKeyById, insertApiKey, setApiKeyRevoked, type ApiKeyRow } from '../db/apiKeys.js';
import { parseId } from '../domain/ids.js';
import { formatPermissions, parsePermissions, PERMISSIONS, type Permission } from '../domain/permissions.js';
import { conflict, invalid, notFound } from '../errors.js';

export interface ApiKeyRecord {
  id: number;
  name: string;
  /** The first characters of the key, to tell keys apart; the key itself is never stored. */
  prefix: string;
  permissions: Permission[];
  createdAt: string;
  revokedAt: string | null;
}

/** What `apikey create` prints: the record and, this once, the key. */
export interface CreatedApiKey extends ApiKeyRecord {
  key: string;
}

const PREFIX_LENGTH = 11;

export const hashKey = (key: string): string => crypto.createHash('sha256').update(key, 'utf8').digest('hex');

function permissionsOf(row: ApiKeyRow): Permission[] {
  const parsed = parsePermissions(row.permissions);
  return 'can' in parsed ? parsed.can : [];
}

export function apiKeyRecord(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    permissions: permissionsOf(row),
    createdAt: new Date(row.createdAt).toISOString(),
    revokedAt: row.revokedAt === null ? null : new Date(row.revokedAt).toISOString(),
  };
}

/** Makes a key with these permissions (`read,create,edit` by default). */
export async function createApiKey(tx: Tx, name: string, can = PERMISSIONS.join(','), now = Date.now()): Promise<CreatedApiKey> {
  const clean = name.trim();
  if (clean === '') throw invalid('an API key needs a name that says who uses it, e.g. casegate apikey create care-escalation');
  const parsed = parsePermissions(can);
  if (!('can' in parsed) || parsed.can.length === 0) {
    const unknown = 'unknown' in parsed ? ` (not ${parsed.unknown.join(', ')})` : '';
    throw invalid(`--can "${can}" must be a comma-separated list of ${PERMISSIONS.join(', ')}${unknown}; e.g. --can read,create`);
  }
  // 32 random bytes: a fast hash at rest is then as good as a slow one (nothing to guess from).
  const key = `cgk_${crypto.randomBytes(32).toString('base64url')}`;
  const row = await insertApiKey(tx, { name: clean, prefix: key.slice(0, PREFIX_LENGTH), keyHash: hashKey(key), permissions: formatPermissions(parsed.can) }, now);
  return { ...apiKeyRecord(row), key };
}

export async function listApiKeys(tx: Tx): Promise<ApiKeyRecord[]> {
  return (await allApiKeys(tx)).map(apiKeyRecord);
}

export async function revokeApiKey(tx: Tx, ref: string, now = Date.now()): Promise<ApiKeyRecord> {
  const id = parseId(ref);
  const row = id === null ? undefined : await apiKeyById(tx, id);
  if (!row) throw notFound(`no API key with id ${ref}; list keys with "casegate apikey list"`);
  if (row.revokedAt !== null) throw conflict(`API key ${row.id} (${row.name}) is already revoked; see "casegate apikey list"`);
  await setApiKeyRevoked(tx, row.id, now);
  return apiKeyRecord(await apiKeyById(tx, row.id) as ApiKeyRow);
}

/** The live key a request presents, or null (unknown or revoked; the caller does not say which). */
export async function authenticateKey(tx: Tx, key: string): Promise<{ id: number; name: string; permissions: Permission[] } | { revoked: true } | null> {
  const row = await apiKeyByHash(tx, hashKey(key));
  if (!row) return null;
  if (row.revokedAt !== null) return { revoked: true };
  return { id: row.id, name: row.name, permissions: permissionsOf(row) };
}
