// The `reply_addresses` table: per-participant reply addresses (SPEC §4 *Sender trust*). Each is
// issued to one participant of one case and reused for every later notification to them; a retired
// one (the collaborator was removed) takes no more mail.
import { statement, type Db } from './client.js';
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

const COLUMNS = 'id, token, case_id AS caseId, kind, address_lower AS addressLower, created_at AS createdAt, retired_at AS retiredAt';

/** The live address issued to this participant of this case, if any. */
export function liveReplyAddress(db: Db, caseId: number, kind: ParticipantKind, addressLower: string): ReplyAddressRow | undefined {
  return statement<[number, string, string], ReplyAddressRow>(
    db,
    `SELECT ${COLUMNS} FROM reply_addresses WHERE case_id = ? AND kind = ? AND address_lower = ? AND retired_at IS NULL`,
  ).get(caseId, kind, addressLower);
}

export function insertReplyAddress(db: Db, r: { token: string; caseId: number; kind: ParticipantKind; addressLower: string }, now: number): ReplyAddressRow {
  return statement<unknown[], ReplyAddressRow>(
    db,
    `INSERT INTO reply_addresses (token, case_id, kind, address_lower, created_at) VALUES (?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
  ).get(r.token, r.caseId, r.kind, r.addressLower, now) as ReplyAddressRow;
}

/** RCPT: the address of a token, retired or not. */
export function replyAddressByToken(db: Db, token: string): ReplyAddressRow | undefined {
  return statement<[string], ReplyAddressRow>(db, `SELECT ${COLUMNS} FROM reply_addresses WHERE token = ?`).get(token);
}

export function replyAddressById(db: Db, id: number): ReplyAddressRow | undefined {
  return statement<[number], ReplyAddressRow>(db, `SELECT ${COLUMNS} FROM reply_addresses WHERE id = ?`).get(id);
}

/** Retires the live addresses of one participant of a case (a removed collaborator); returns how many. */
export function retireReplyAddresses(db: Db, caseId: number, kind: ParticipantKind, addressLower: string, now: number): number {
  return statement<[number, number, string, string]>(
    db,
    'UPDATE reply_addresses SET retired_at = ? WHERE case_id = ? AND kind = ? AND address_lower = ? AND retired_at IS NULL',
  ).run(now, caseId, kind, addressLower).changes;
}
