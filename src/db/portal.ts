// The Help portal's tables: `portal_sign_ins` (one row per sign-in request; the link's token only
// as its SHA-256) and `portal_sessions` (by the SHA-256 of the cookie's token).
import type { Tx } from './engine.js';

export interface SignInRow {
  id: number;
  emailLower: string;
  expiresAt: number;
  usedAt: number | null;
}

/** Records a sign-in request (with the hash of the link sent, or null when none was); its id. */
export function insertSignIn(tx: Tx, r: { emailLower: string; ip: string; tokenHash: string | null; expiresAt: number }, now: number): Promise<number> {
  return tx.insert('INSERT INTO portal_sign_ins (email_lower, ip, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [
    r.emailLower,
    r.ip,
    r.tokenHash,
    now,
    r.expiresAt,
  ]);
}

/** Sets the hash of the link a request's mail carries (known once its outbox row is written). */
export async function setSignInToken(tx: Tx, id: number, tokenHash: string): Promise<void> {
  await tx.run('UPDATE portal_sign_ins SET token_hash = ? WHERE id = ?', [tokenHash, id]);
}

/** Sign-in requests for this address, and from this IP, since `since`. */
export async function countSignIns(tx: Tx, since: number, by: { emailLower: string; ip: string }): Promise<{ address: number; ip: number }> {
  const address = (await tx.get<{ n: number }>('SELECT count(*) AS n FROM portal_sign_ins WHERE email_lower = ? AND created_at > ?', [by.emailLower, since]))?.n ?? 0;
  const ip = (await tx.get<{ n: number }>('SELECT count(*) AS n FROM portal_sign_ins WHERE ip = ? AND created_at > ?', [by.ip, since]))?.n ?? 0;
  return { address: Number(address), ip: Number(ip) };
}

/**
 * Marks the link with this hash used, when it is unused and not expired; the row it was, or
 * undefined. One statement, so that two clicks at once cannot both sign in.
 */
export function useSignIn(tx: Tx, tokenHash: string, now: number): Promise<SignInRow | undefined> {
  return tx.get<SignInRow>(
    `UPDATE portal_sign_ins SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
     RETURNING id, email_lower AS "emailLower", expires_at AS "expiresAt", used_at AS "usedAt"`,
    [now, tokenHash, now],
  );
}

export async function insertSession(tx: Tx, s: { tokenHash: string; emailLower: string; expiresAt: number }, now: number): Promise<void> {
  await tx.run('INSERT INTO portal_sessions (token_hash, email_lower, created_at, expires_at) VALUES (?, ?, ?, ?)', [s.tokenHash, s.emailLower, now, s.expiresAt]);
}

/** The address of a live session, or undefined. */
export async function sessionEmail(tx: Tx, tokenHash: string, now: number): Promise<string | undefined> {
  return (await tx.get<{ emailLower: string }>('SELECT email_lower AS "emailLower" FROM portal_sessions WHERE token_hash = ? AND expires_at > ?', [tokenHash, now]))
    ?.emailLower;
}

export async function deleteSession(tx: Tx, tokenHash: string): Promise<void> {
  await tx.run('DELETE FROM portal_sessions WHERE token_hash = ?', [tokenHash]);
}

/** Drops ended sessions and sign-in requests older than `before`; how many rows went. */
export async function pruneSessions(tx: Tx, now: number, before: number): Promise<number> {
  const a = await tx.run('DELETE FROM portal_sessions WHERE expires_at <= ?', [now]);
  const b = await tx.run('DELETE FROM portal_sign_ins WHERE created_at < ?', [before]);
  return a.changes + b.changes;
}
