// The `reply_addresses` table: per-participant reply addresses (SPEC §4 *Sender trust*). Each is
// issued to one participant of one case and reused for every later notification to them; a retired
// one (the collaborator was removed) takes no more mail.
import { chunks, IN_LIST, type Tx } from './engine.js';
import { newToken } from '../domain/mailNames.js';
import type { ParticipantKind } from '../domain/recipients.js';

export interface ReplyAddressRow {
  id: number;
  token: string;
  caseId: number;
  kind: ParticipantKind;
  addressLower: string;
  createdAt: number;
  retiredAt: number | null;
}

const COLUMNS = 'id, token, case_id AS "caseId", kind, address_lower AS "addressLower", created_at AS "createdAt", retired_at AS "retiredAt"';

/** A participant of a case, as reply addresses are issued: by kind and normalised address. */
export interface Participant {
  kind: ParticipantKind;
  addressLower: string;
}

/** How replyAddressesFor keys its ids: `kind address`. */
export const replyAddressKey = (p: Participant): string => `${p.kind} ${p.addressLower}`;
const keyOf = replyAddressKey;

/**
 * The live reply address of each participant of the case, issued now for those who have none: ids
 * by `kind address`. One statement finds the live ones (per 500 participants); PostgreSQL inserts
 * the missing ones in one statement that meets the unique index of live addresses (`ON CONFLICT DO
 * NOTHING`; a participant another transaction issued first is read again once that one commits),
 * in a fixed order so that two such inserts cannot deadlock; SQLite, one writer, inserts row by row.
 */
export async function replyAddressesFor(tx: Tx, caseId: number, participants: readonly Participant[], now: number): Promise<Map<string, number>> {
  const wanted = byKey(participants);
  const ids = await liveReplyAddresses(tx, caseId, wanted);
  // Every one live: the usual case (a reply's 20 notifications), keyed once each.
  if (ids.size === wanted.size) return ids;
  const missing = [...wanted].filter(([key]) => !ids.has(key)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, p]) => p);
  if (tx.dialect !== 'postgres') {
    for (const p of missing) ids.set(keyOf(p), await insertReplyAddress(tx, { token: newToken(), caseId, ...p }, now));
    return ids;
  }
  for (const some of chunks(missing, IN_LIST / 5)) {
    const rows = await tx.all<Participant & { id: number }>(
      `INSERT INTO reply_addresses (token, case_id, kind, address_lower, created_at) VALUES ${some.map(() => '(?, ?, ?, ?, ?)').join(', ')}
       ON CONFLICT (case_id, kind, address_lower) WHERE retired_at IS NULL DO NOTHING RETURNING id, kind, address_lower AS "addressLower"`,
      some.flatMap((p) => [newToken(), caseId, p.kind, p.addressLower, now]),
    );
    for (const r of rows) ids.set(keyOf(r), r.id);
  }
  const lost = missing.filter((p) => !ids.has(keyOf(p)));
  for (const [key, id] of await liveReplyAddresses(tx, caseId, byKey(lost))) ids.set(key, id);
  const none = lost.find((p) => !ids.has(keyOf(p)));
  if (none !== undefined) throw new Error(`the reply address of ${none.addressLower} for case id ${caseId} was neither inserted nor found`);
  return ids;
}

/** The participants by `kind address`, each once. */
function byKey(participants: readonly Participant[]): Map<string, Participant> {
  const wanted = new Map<string, Participant>();
  for (const p of participants) {
    const key = keyOf(p);
    if (!wanted.has(key)) wanted.set(key, p);
  }
  return wanted;
}

/**
 * The live addresses issued to these participants (by key) of this case: ids by `kind address`.
 * One read of all the case's live addresses (about as many as it has participants: a removed
 * collaborator's is retired), from the index of live ones: naming the 20 addresses of a reply in an
 * IN list cost SQLite a temporary index of them, and the read took a third again as long.
 */
async function liveReplyAddresses(tx: Tx, caseId: number, wanted: ReadonlyMap<string, Participant>): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const rows = await tx.all<Participant & { id: number }>(
    'SELECT id, kind, address_lower AS "addressLower" FROM reply_addresses WHERE case_id = ? AND retired_at IS NULL',
    [caseId],
  );
  for (const r of rows) {
    const key = keyOf(r);
    if (wanted.has(key)) ids.set(key, r.id);
  }
  return ids;
}

/** Inserts a reply address (the caller knows none is live for this participant); its id. */
export function insertReplyAddress(tx: Tx, r: { token: string; caseId: number; kind: ParticipantKind; addressLower: string }, now: number): Promise<number> {
  return tx.insert('INSERT INTO reply_addresses (token, case_id, kind, address_lower, created_at) VALUES (?, ?, ?, ?, ?)', [
    r.token,
    r.caseId,
    r.kind,
    r.addressLower,
    now,
  ]);
}

/** RCPT: the address of a token, retired or not. */
export function replyAddressByToken(tx: Tx, token: string): Promise<ReplyAddressRow | undefined> {
  return tx.get<ReplyAddressRow>(`SELECT ${COLUMNS} FROM reply_addresses WHERE token = ?`, [token]);
}

export function replyAddressById(tx: Tx, id: number): Promise<ReplyAddressRow | undefined> {
  return tx.get<ReplyAddressRow>(`SELECT ${COLUMNS} FROM reply_addresses WHERE id = ?`, [id]);
}

/** Retires the live addresses of one participant of a case (a removed collaborator); returns how many. */
export async function retireReplyAddresses(tx: Tx, caseId: number, kind: ParticipantKind, addressLower: string, now: number): Promise<number> {
  const { changes } = await tx.run('UPDATE reply_addresses SET retired_at = ? WHERE case_id = ? AND kind = ? AND address_lower = ? AND retired_at IS NULL', [
    now,
    caseId,
    kind,
    addressLower,
  ]);
  return changes;
}
