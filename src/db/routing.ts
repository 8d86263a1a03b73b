// The `routing_addresses` table: addresses whose new mail opens cases (Email-to-Case).
import { bool, statement, type Db } from './client.js';
import type { routingAddresses } from './schema.js';
import { normalizeEmail } from '../domain/address.js';

export type RoutingRow = typeof routingAddresses.$inferSelect;
export type NewRoutingRow = Omit<RoutingRow, 'id' | 'addressLower' | 'createdAt'>;

const COLUMNS = `id, address, address_lower AS addressLower, priority, origin, owner_id AS ownerId,
  create_contacts AS createContacts, notify, record_type_id AS recordTypeId, created_at AS createdAt`;

type Raw = Omit<RoutingRow, 'createContacts' | 'notify'> & { createContacts: number; notify: number };
const row = (r: Raw | undefined): RoutingRow | undefined =>
  r === undefined ? undefined : { ...r, createContacts: bool(r.createContacts), notify: bool(r.notify) };

export function insertRouting(db: Db, r: NewRoutingRow, now: number): RoutingRow {
  return row(
    statement<unknown[], Raw>(
      db,
      `INSERT INTO routing_addresses (address, address_lower, priority, origin, owner_id, create_contacts, notify, record_type_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
    ).get(r.address, normalizeEmail(r.address), r.priority, r.origin, r.ownerId, r.createContacts ? 1 : 0, r.notify ? 1 : 0, r.recordTypeId, now),
  ) as RoutingRow;
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
