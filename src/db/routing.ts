// The `routing_addresses` table: addresses whose new mail opens cases (Email-to-Case).
import { bool, type Tx } from './engine.js';
import type { routingAddresses } from './schema.js';
import { normalizeEmail } from '../domain/address.js';

export type RoutingRow = typeof routingAddresses.$inferSelect;
export type NewRoutingRow = Omit<RoutingRow, 'id' | 'addressLower' | 'createdAt'>;

const COLUMNS = `id, address, address_lower AS "addressLower", priority, origin, owner_id AS "ownerId",
  create_contacts AS "createContacts", notify, record_type_id AS "recordTypeId", created_at AS "createdAt",
  accept_from AS "acceptFrom", block, rate_limit AS "rateLimit", save_headers AS "saveHeaders",
  auto_response AS "autoResponse", auto_response_if AS "autoResponseIf"`;

type Flag = number | boolean;
type Raw = Omit<RoutingRow, 'createContacts' | 'notify' | 'saveHeaders'> & { createContacts: Flag; notify: Flag; saveHeaders: Flag };
const row = (r: Raw | undefined): RoutingRow | undefined =>
  r === undefined ? undefined : { ...r, createContacts: bool(r.createContacts), notify: bool(r.notify), saveHeaders: bool(r.saveHeaders) };

/** The settings `routing update` may change, each one a column. */
export type RoutingSettings = Omit<NewRoutingRow, 'address'>;

const SETTING_COLUMNS: Readonly<Record<keyof RoutingSettings, string>> = Object.freeze({
  priority: 'priority',
  origin: 'origin',
  ownerId: 'owner_id',
  createContacts: 'create_contacts',
  notify: 'notify',
  recordTypeId: 'record_type_id',
  acceptFrom: 'accept_from',
  block: 'block',
  rateLimit: 'rate_limit',
  saveHeaders: 'save_headers',
  autoResponse: 'auto_response',
  autoResponseIf: 'auto_response_if',
});

const sqlValue = (v: unknown): unknown => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

export async function insertRouting(tx: Tx, r: NewRoutingRow, now: number): Promise<RoutingRow> {
  const keys = Object.keys(SETTING_COLUMNS) as (keyof RoutingSettings)[];
  return row(
    await tx.get<Raw>(
      `INSERT INTO routing_addresses (address, address_lower, created_at, ${keys.map((k) => SETTING_COLUMNS[k]).join(', ')})
       VALUES (?, ?, ?, ${keys.map(() => '?').join(', ')}) RETURNING ${COLUMNS}`,
      [r.address, normalizeEmail(r.address), now, ...keys.map((k) => sqlValue(r[k]))],
    ),
  ) as RoutingRow;
}

/** Changes the settings given, leaves the others; returns the row. */
export async function updateRouting(tx: Tx, id: number, patch: Partial<RoutingSettings>): Promise<RoutingRow | undefined> {
  const keys = (Object.keys(patch) as (keyof RoutingSettings)[]).filter((k) => patch[k] !== undefined && k in SETTING_COLUMNS);
  if (keys.length === 0) return routingById(tx, id);
  return row(
    await tx.get<Raw>(`UPDATE routing_addresses SET ${keys.map((k) => `${SETTING_COLUMNS[k]} = ?`).join(', ')} WHERE id = ? RETURNING ${COLUMNS}`, [
      ...keys.map((k) => sqlValue(patch[k])),
      id,
    ]),
  );
}

export async function routingById(tx: Tx, id: number): Promise<RoutingRow | undefined> {
  return row(await tx.get<Raw>(`SELECT ${COLUMNS} FROM routing_addresses WHERE id = ?`, [id]));
}

export async function routingByAddress(tx: Tx, address: string): Promise<RoutingRow | undefined> {
  return row(await tx.get<Raw>(`SELECT ${COLUMNS} FROM routing_addresses WHERE address_lower = ?`, [normalizeEmail(address)]));
}

/** RCPT hot path: the id of the routing address, or undefined. `lower` is already normalised. */
export async function routingIdByAddress(tx: Tx, lower: string): Promise<number | undefined> {
  return (await tx.get<{ id: number }>('SELECT id FROM routing_addresses WHERE address_lower = ?', [lower]))?.id;
}

export async function allRouting(tx: Tx): Promise<RoutingRow[]> {
  return (await tx.all<Raw>(`SELECT ${COLUMNS} FROM routing_addresses ORDER BY id`)).map((r) => row(r) as RoutingRow);
}

export async function deleteRouting(tx: Tx, id: number): Promise<void> {
  await tx.run('DELETE FROM routing_addresses WHERE id = ?', [id]);
}

/** The routing addresses whose mail opens cases of a record type. */
export async function routingOfRecordType(tx: Tx, recordTypeId: number): Promise<RoutingRow[]> {
  return (await tx.all<Raw>(`SELECT ${COLUMNS} FROM routing_addresses WHERE record_type_id = ? ORDER BY id`, [recordTypeId])).map((r) => row(r) as RoutingRow);
}
