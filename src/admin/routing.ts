// Routing addresses (Email-to-Case): mail to one of them opens a new case with the address's
// defaults. An address is unique, compared case-insensitively.
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { allRouting, deleteRouting, insertRouting, routingByAddress, type RoutingRow } from '../db/routing.js';
import { userById } from '../db/users.js';
import { recordTypeById } from '../db/recordTypes.js';
import { allowedOrigin } from '../domain/recordTypes.js';
import { requireRecordType, routingProblem } from './recordTypes.js';
import type { Priority } from '../domain/caseRules.js';
import { bounceTokenOf, caseTokenOf } from '../domain/mailNames.js';
import { conflict, invalid, notFound } from '../errors.js';
import { checkEmail, requirePriority } from './input.js';
import { requireUserByEmail } from './users.js';

export const DEFAULT_ROUTING_PRIORITY: Priority = 'Medium';
export const DEFAULT_ROUTING_ORIGIN = 'Email';

export interface RoutingRecord {
  id: number;
  address: string;
  priority: Priority;
  origin: string;
  /** Email of the user who owns every case opened through this address, or null. */
  owner: string | null;
  /** Create a contact for a sender no contact has the address of. */
  createContacts: boolean;
  /** Send the "case created" email. */
  notify: boolean;
  /** Record type of the cases its mail opens, by name, or null. */
  recordType: string | null;
  createdAt: string;
}

export interface NewRoutingAddress {
  address: string;
  priority?: string | null;
  origin?: string | null;
  /** A user's email. */
  owner?: string | null;
  createContacts?: boolean;
  notify?: boolean;
  /** Name of the record type of the cases its mail opens. */
  recordType?: string | null;
}

function routingRecord(db: Db, row: RoutingRow): RoutingRecord {
  return {
    id: row.id,
    address: row.address,
    priority: row.priority as Priority,
    origin: row.origin,
    owner: row.ownerId === null ? null : (userById(db, row.ownerId)?.email ?? null),
    createContacts: row.createContacts,
    notify: row.notify,
    recordType: row.recordTypeId === null ? null : (recordTypeById(db, row.recordTypeId)?.name ?? null),
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

export function addRoutingAddress(db: Db, config: Config, input: NewRoutingAddress, now = Date.now()): RoutingRecord {
  const address = checkEmail(input.address, 'routing address');
  if (caseTokenOf(address, config.domain) !== null || bounceTokenOf(address, config.domain) !== null) {
    throw invalid(`${address} has the form of a case or bounce address of ${config.domain}; choose another address, e.g. support@example.com`);
  }
  const recordType = input.recordType == null ? null : requireRecordType(db, input.recordType);
  // A record type's defaults replace the routing defaults.
  const priority = input.priority == null ? (recordType?.defaultPriority ?? DEFAULT_ROUTING_PRIORITY) : requirePriority(input.priority);
  let origin = input.origin == null ? (recordType?.defaultOrigin ?? DEFAULT_ROUTING_ORIGIN) : input.origin.trim();
  if (origin === '') throw invalid('origin is empty; give a word such as Email or Web, or leave --origin out');
  if (recordType) {
    // Checked now, not at mail time: mail is never refused for a setting.
    const problem = routingProblem(recordType, { priority, origin });
    if (problem) throw invalid(`record type "${recordType.name}" cannot be set on a routing address: ${problem}; choose another record type or change it with "casegate recordtype update ${recordType.name}"`);
    origin = allowedOrigin(recordType, origin) ?? origin;
  }
  const owner = input.owner == null ? null : requireUserByEmail(db, input.owner, 'owner');
  const taken = findRoutingAddress(db, address);
  if (taken) {
    throw conflict(`routing address ${taken.address} already exists (id ${taken.id}); remove it first with "casegate routing remove ${taken.address}" to change it`);
  }
  const row = insertRouting(
    db,
    {
      address,
      priority,
      origin,
      ownerId: owner?.id ?? null,
      createContacts: input.createContacts === true,
      notify: input.notify !== false,
      recordTypeId: recordType?.id ?? null,
    },
    now,
  );
  return routingRecord(db, row);
}

export function listRoutingAddresses(db: Db): RoutingRecord[] {
  return allRouting(db).map((row) => routingRecord(db, row));
}

/** The routing address equal to `address` (case-insensitive), or undefined. */
export function findRoutingAddress(db: Db, address: string): RoutingRecord | undefined {
  const row = routingByAddress(db, address);
  return row ? routingRecord(db, row) : undefined;
}

/** Removes a routing address and returns what it was. Existing cases are not touched. */
export function removeRoutingAddress(db: Db, address: string): RoutingRecord {
  const found = findRoutingAddress(db, address);
  if (!found) throw notFound(`${address.trim()} is not a routing address; list them with "casegate routing list"`);
  deleteRouting(db, found.id);
  return found;
}
