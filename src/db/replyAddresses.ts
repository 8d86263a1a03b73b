// The `reply_addresses` table: per-participant reply addresses (SPEC §4 *Sender trust*). Each is
// issued to one participant of one case and reused for every later notification to them; a retired
// one (the collaborator was removed) takes no more mail.
import type { Tx } from './engine.js';
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

/** The live address issued to this participant of this case, if any. */
export function liveReplyAddress(tx: Tx, caseId: number, kind: ParticipantKind, addressLower: string): Promise<ReplyAddressRow | undefined> {
  return tx.get<ReplyAddressRow>(`SELECT ${COLUMNS} FROM reply_addresses WHERE case_id = ? AND kind = ? AND address_lower = ? AND retired_at IS NULL`, [
    caseId,
    kind,
    addressLower,
  ]);
}

/**
 * Issues a reply address once per participant and case, and gives its id: the live one when another
 * transaction (another node) issued it first. PostgreSQL meets the unique index of live addresses
 * (`ON CONFLICT DO NOTHING`, then reads the winner's row, which the index made it wait for); SQLite,
 * one writer, inserts after the caller found none live, with no extra statement.
 */
export async function issueReplyAddress(tx: Tx, r: { token: string; caseId: number; kind: ParticipantKind; addressLower: string }, now: number): Promise<number> {
  if (tx.dialect !== 'postgres') return insertReplyAddress(tx, r, now);
  const inserted = await tx.get<{ id: number }>(
    `INSERT INTO reply_addresses (token, case_id, kind, address_lower, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (case_id, kind, address_lower) WHERE retired_at IS NULL DO NOTHING RETURNING id`,
    [r.token, r.caseId, r.kind, r.addressLower, now],
  );
  if (inserted !== undefined) return inserted.id;
  const live = await liveReplyAddress(tx, r.caseId, r.kind, r.addressLower);
  if (live === undefined) throw new Error(`the reply address of ${r.addressLower} for case id ${r.caseId} was neither inserted nor found`);
  return live.id;
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
