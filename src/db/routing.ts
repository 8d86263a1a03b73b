// The `routing_addresses` table: addresses whose new mail opens cases (Email-to-Case).
import { bool, statement, type Db } from './client.js';
import type { routingAddresses } from './schema.js';
import { normalizeEmail } from '../domain/address.js';

export type RoutingRow = typeof routingAddresses.$inferSelect;
export type NewRoutingRow = Omit<RoutingRow, 'id' | 'addressLower' | 'createdAt'>;

const COLUMNS = `id, address, address_lower AS addressLower, priority, origin, owner_id AS ownerId,
  create_contacts AS createContacts, notify, record_type_id AS recordTypeId, created_at AS createdAt,
  accept_from AS acceptFrom, block, rate_limit AS rateLimit, save_headers AS saveHeaders,
  auto_response AS autoResponse, auto_response_if AS autoResponseIf`;

type Raw = Omit<RoutingRow, 'createContacts' | 'notify' | 'saveHeaders'> & { createContacts: number; notify: number; saveHeaders: number };
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

export function insertRouting(db: Db, r: NewRoutingRow, now: number): RoutingRow {
  const keys = Object.keys(SETTING_COLUMNS) as (keyof RoutingSettings)[];
  return row(
    statement<unknown[], Raw>(
      db,
      `INSERT INTO routing_addresses (address, address_lower, created_at, ${keys.map((k) => SETTING_COLUMNS[k]).join(', ')})
       VALUES (?, ?, ?, ${keys.map(() => '?').join(', ')}) RETURNING ${COLUMNS}`,
    ).get(r.address, normalizeEmail(r.address), now, ...keys.map((k) => sqlValue(r[k]))),
  ) as RoutingRow;
}

/** Changes the settings given, leaves the others; returns the row. */
export function updateRouting(db: Db, id: number, patch: Partial<RoutingSettings>): RoutingRow | undefined {
  const keys = (Object.keys(patch) as (keyof RoutingSettings)[]).filter((k) => patch[k] !== undefined && k in SETTING_COLUMNS);
  if (keys.length === 0) return routingById(db, id);
  return row(
    statement<unknown[], Raw>(
      db,
      `UPDATE routing_addresses SET ${keys.map((k) => `${SETTING_COLUMNS[k]} = ?`).join(', ')} WHERE id = ? RETURNING ${COLUMNS}`,
    ).get(...keys.map((k) => sqlValue(patch[k])), id),
  );
}

export function routingById(db: Db, id: number): RoutingRow | undefined {
  return row(statement<[number], Raw>(db, `SELECT ${COLUMNS} FROM routing_addresses WHERE id = ?`).get(id));
}

export function routingByAddress(db: Db, address: string): RoutingRow | undefined {
  return row(statement<[string], Raw>(db, `SELECT ${COLUMNS} FROM routing_addresses WHERE address_lower = ?`).get(normalizeEmail(address)));
}

/** RCPT hot path: the id of the routing address, or undefined. `lower` is already normalised. */
export function routingIdByAddress(db: Db, lower: string): number | undefined {
  return statement<[string], { id: number }>(db, 'SELECT id FROM routing_addresses WHERE address_lower = ?').get(lower)?.id;
}

export function allRouting(db: Db): RoutingRow[] {
  return statement<[], Raw>(db, `SELECT ${COLUMNS} FROM routing_addresses ORDER BY id`)
    .all()
    .map((r) => row(r) as RoutingRow);
}

export function deleteRouting(db: Db, id: number): void {
  statement<[number]>(db, 'DELETE FROM routing_addresses WHERE id = ?').run(id);
}

/** The routing addresses whose mail opens cases of a record type. */
export function routingOfRecordType(db: Db, recordTypeId: number): RoutingRow[] {
  return statement<[number], Raw>(db, `SELECT ${COLUMNS} FROM routing_addresses WHERE record_type_id = ? ORDER BY id`)
    .all(recordTypeId)
    .map((r) => row(r) as RoutingRow);
}
