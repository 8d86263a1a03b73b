// Routing addresses (Email-to-Case): mail to one of them opens a new case with the address's
// defaults. An address is unique, compared case-insensitively.
import type { Config } from '../config.js';
import { mapInTurn, type Tx } from '../db/engine.js';
import { allRouting, deleteRouting, insertRouting, routingByAddress, updateRouting, type RoutingRow, type RoutingSettings } from '../db/routing.js';
import { userById } from '../db/users.js';
import { recordTypeById } from '../db/recordTypes.js';
import { allowedOrigin } from '../domain/recordTypes.js';
import { requireRecordType, routingProblem } from './recordTypes.js';
import { formatSenderList, parseSenderList, senderListOf, TEMPLATE_PLACEHOLDERS, unknownPlaceholders } from '../domain/routingRules.js';
import type { RecordTypeRow } from '../db/recordTypes.js';
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
  /** SPEC §7: only these senders (addresses and `@domain`s) may write to it; empty = anyone. */
  acceptFrom: string[];
  /** Senders refused. */
  block: string[];
  /** New cases per sender per hour; 0 = no limit. */
  rateLimit: number;
  /** The raw header section of each message to it is kept for `inbound show`. */
  saveHeaders: boolean;
  /** The auto-response template, or null. */
  autoResponse: string | null;
  /** Sent only when this text is in the subject or body; null = always. */
  autoResponseIf: string | null;
  createdAt: string;
}

/** Settings as an admin gives them (flags): each undefined one is left as it is (update) or gets its default (add). */
export interface RoutingSettingsInput {
  priority?: string | null;
  origin?: string | null;
  /** A user's email; '' (update) clears it. */
  owner?: string | null;
  createContacts?: boolean;
  notify?: boolean;
  /** Name of the record type of the cases its mail opens; '' (update) clears it. */
  recordType?: string | null;
  /** Comma-separated addresses and `@domain`s; '' = anyone. */
  acceptFrom?: string;
  /** Comma-separated addresses and `@domain`s; '' = nobody blocked. */
  block?: string;
  /** A whole number as typed; '0' = no limit. */
  rateLimit?: string | number;
  saveHeaders?: boolean;
  /** The template text (read from --auto-response FILE); null clears it (and its condition). */
  autoResponse?: string | null;
  /** '' or null: always. */
  autoResponseIf?: string | null;
}

/** Largest auto-response template kept. */
export const MAX_TEMPLATE_CHARS = 64 * 1024;
const MAX_RATE_LIMIT = 100_000;

export interface NewRoutingAddress extends RoutingSettingsInput {
  address: string;
}

async function routingRecord(tx: Tx, row: RoutingRow): Promise<RoutingRecord> {
  return {
    id: row.id,
    address: row.address,
    priority: row.priority as Priority,
    origin: row.origin,
    owner: row.ownerId === null ? null : ((await userById(tx, row.ownerId))?.email ?? null),
    createContacts: row.createContacts,
    notify: row.notify,
    recordType: row.recordTypeId === null ? null : ((await recordTypeById(tx, row.recordTypeId))?.name ?? null),
    acceptFrom: senderListOf(row.acceptFrom),
    block: senderListOf(row.block),
    rateLimit: row.rateLimit,
    saveHeaders: row.saveHeaders,
    autoResponse: row.autoResponse,
    autoResponseIf: row.autoResponseIf,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

export async function addRoutingAddress(tx: Tx, config: Config, input: NewRoutingAddress, now = Date.now()): Promise<RoutingRecord> {
  const address = checkEmail(input.address, 'routing address');
  if (caseTokenOf(address, config.domain) !== null || bounceTokenOf(address, config.domain) !== null) {
    throw invalid(`${address} has the form of a case or bounce address of ${config.domain}; choose another address, e.g. support@example.com`);
  }
  const taken = await findRoutingAddress(tx, address);
  if (taken) {
    throw conflict(`routing address ${taken.address} already exists (id ${taken.id}); change it with "casegate routing update ${taken.address} ..." or remove it first`);
  }
  const recordType = input.recordType == null || input.recordType === '' ? null : await requireRecordType(tx, input.recordType);
  // A record type's defaults replace the routing defaults.
  const priority = input.priority == null ? (recordType?.defaultPriority ?? DEFAULT_ROUTING_PRIORITY) : requirePriority(input.priority);
  const origin = fitRecordType(recordType, priority, input.origin == null ? (recordType?.defaultOrigin ?? DEFAULT_ROUTING_ORIGIN) : checkOrigin(input.origin));
  const owner = input.owner == null || input.owner === '' ? null : await requireUserByEmail(tx, input.owner, 'owner');
  const settings = checkMailSettings(input, null);
  const row = await insertRouting(
    tx,
    {
      address,
      priority,
      origin,
      ownerId: owner?.id ?? null,
      createContacts: input.createContacts === true,
      notify: input.notify !== false,
      recordTypeId: recordType?.id ?? null,
      acceptFrom: settings.acceptFrom ?? '',
      block: settings.block ?? '',
      rateLimit: settings.rateLimit ?? 0,
      saveHeaders: settings.saveHeaders ?? false,
      autoResponse: settings.autoResponse ?? null,
      autoResponseIf: settings.autoResponseIf ?? null,
    },
    now,
  );
  return await routingRecord(tx, row);
}

/**
 * `routing update ADDRESS`: changes only the settings given; each is checked first, and nothing
 * changes when one is bad.
 */
export async function updateRoutingAddress(tx: Tx, address: string, input: RoutingSettingsInput): Promise<RoutingRecord> {
  const current = await routingByAddress(tx, address);
  if (!current) throw notFound(`${address.trim()} is not a routing address; list them with "casegate routing list", or add it with "casegate routing add ${address.trim()}"`);
  if (Object.values(input).every((v) => v === undefined)) {
    throw invalid(`nothing to change for ${current.address}; give at least one setting, e.g. --rate-limit 5 (see "casegate routing update --help")`);
  }
  const patch: Partial<RoutingSettings> = {};
  const recordType =
    input.recordType === undefined
      ? current.recordTypeId === null
        ? null
        : (await recordTypeById(tx, current.recordTypeId) ?? null)
      : input.recordType === null || input.recordType === ''
        ? null
        : await requireRecordType(tx, input.recordType);
  if (input.recordType !== undefined) patch.recordTypeId = recordType?.id ?? null;
  if (input.priority != null) patch.priority = requirePriority(input.priority);
  if (input.origin != null) patch.origin = checkOrigin(input.origin);
  if (patch.priority !== undefined || patch.origin !== undefined || input.recordType !== undefined) {
    const origin = fitRecordType(recordType, (patch.priority ?? current.priority) as Priority, patch.origin ?? current.origin);
    if (origin !== current.origin) patch.origin = origin;
  }
  if (input.owner !== undefined) patch.ownerId = input.owner === null || input.owner === '' ? null : (await requireUserByEmail(tx, input.owner, 'owner')).id;
  if (input.createContacts !== undefined) patch.createContacts = input.createContacts;
  if (input.notify !== undefined) patch.notify = input.notify;
  Object.assign(patch, checkMailSettings(input, current));
  return await routingRecord(tx, await updateRouting(tx, current.id, patch) as RoutingRow);
}

function checkOrigin(value: string): string {
  const origin = value.trim();
  if (origin === '') throw invalid('origin is empty; give a word such as Email or Web, or leave --origin out');
  return origin;
}

/** The origin in the record type's spelling; checked now, not at mail time: mail is never refused for a setting. */
function fitRecordType(recordType: RecordTypeRow | null, priority: Priority, origin: string): string {
  if (recordType === null) return origin;
  const problem = routingProblem(recordType, { priority, origin });
  if (problem) {
    throw invalid(
      `record type "${recordType.name}" cannot be set on a routing address: ${problem}; choose another record type or change it with "casegate recordtype update ${recordType.name}"`,
    );
  }
  return allowedOrigin(recordType, origin) ?? origin;
}

/** The SPEC §7 settings given, checked; `current` is the stored row (update) or null (add). */
function checkMailSettings(input: RoutingSettingsInput, current: RoutingRow | null): Partial<RoutingSettings> {
  const out: Partial<RoutingSettings> = {};
  if (input.acceptFrom !== undefined) out.acceptFrom = checkSenderList(input.acceptFrom, '--accept-from', "'' for anyone");
  if (input.block !== undefined) out.block = checkSenderList(input.block, '--block', "'' to block nobody");
  if (input.rateLimit !== undefined) out.rateLimit = checkRateLimit(String(input.rateLimit));
  if (input.saveHeaders !== undefined) out.saveHeaders = input.saveHeaders;
  if (input.autoResponse !== undefined) {
    out.autoResponse = input.autoResponse === null ? null : checkTemplate(input.autoResponse);
    // Without a template its condition means nothing.
    if (input.autoResponse === null) out.autoResponseIf = null;
  }
  if (input.autoResponseIf !== undefined && input.autoResponseIf !== null && input.autoResponseIf.trim() !== '') {
    const template = out.autoResponse !== undefined ? out.autoResponse : (current?.autoResponse ?? null);
    if (template === null) throw invalid('--auto-response-if needs an auto-response; give --auto-response FILE too');
    out.autoResponseIf = input.autoResponseIf.trim();
  } else if (input.autoResponseIf !== undefined) {
    out.autoResponseIf = null;
  }
  return out;
}

function checkSenderList(value: string, flag: string, empty: string): string {
  const parsed = parseSenderList(value);
  if ('bad' in parsed) {
    throw invalid(
      `${flag}: ${parsed.bad.map((b) => `"${b}"`).join(', ')} is not an address or @domain; give comma-separated addresses and @domains, e.g. ann@example.com,@example.org, or ${empty}`,
    );
  }
  return formatSenderList(parsed.entries);
}

function checkRateLimit(value: string): number {
  const text = value.trim();
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n > MAX_RATE_LIMIT) {
    throw invalid(`--rate-limit "${value}" is not a whole number of new cases per sender per hour; give one from 0 (no limit) to ${MAX_RATE_LIMIT}`);
  }
  return n;
}

function checkTemplate(text: string): string {
  if (text.trim() === '') throw invalid('the auto-response template is empty; write the acknowledgement into the file, or use --no-auto-response');
  if (text.length > MAX_TEMPLATE_CHARS) throw invalid(`the auto-response template is longer than ${MAX_TEMPLATE_CHARS} characters; shorten it`);
  if (text.includes('\u0000')) throw invalid('the auto-response template is not text; give a plain UTF-8 text file');
  const unknown = unknownPlaceholders(text);
  if (unknown.length > 0) {
    throw invalid(
      `the auto-response template uses ${unknown.map((u) => `{{${u}}}`).join(', ')}, which casegate does not know; use only ${TEMPLATE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
    );
  }
  return text.replace(/\r\n/g, '\n');
}

export async function listRoutingAddresses(tx: Tx): Promise<RoutingRecord[]> {
  return mapInTurn(await allRouting(tx), (row) => routingRecord(tx, row));
}

/** The routing address equal to `address` (case-insensitive), or undefined. */
export async function findRoutingAddress(tx: Tx, address: string): Promise<RoutingRecord | undefined> {
  const row = await routingByAddress(tx, address);
  return row ? await routingRecord(tx, row) : undefined;
}

/** Removes a routing address and returns what it was. Existing cases are not touched. */
export async function removeRoutingAddress(tx: Tx, address: string): Promise<RoutingRecord> {
  const found = await findRoutingAddress(tx, address);
  if (!found) throw notFound(`${address.trim()} is not a routing address; list them with "casegate routing list"`);
  await deleteRouting(tx, found.id);
  return found;
}
