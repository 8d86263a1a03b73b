// The Help portal's rules (SPEC §11). Pure: tokens, their hashes and signatures, and who may see
// a case. The key is the server's `portal` secret, passed in.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { normalizeEmail } from './address.js';

/** The name of the portal's key in the `secrets` table. */
export const PORTAL_KEY_NAME = 'portal';

/** A sign-in link works 15 minutes, once; a session lasts 8 hours. */
export const SIGN_IN_MS = 15 * 60_000;
export const SESSION_MS = 8 * 3600_000;
/** Sign-in requests per hour: per address (then no more mail, same page), per IP (then 429). */
export const SIGN_IN_LIMITS = Object.freeze({ perAddress: 5, perIp: 30, windowMs: 3600_000 });

/** A new random token: 32 bytes (256 bits), base64url. */
export const newPortalToken = (): string => randomBytes(32).toString('base64url');
/** A new server key. */
export const newPortalKey = (): string => randomBytes(32).toString('base64url');

/** What is stored of a token: its SHA-256, hex. */
export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

const sign = (key: string, purpose: string, text: string): string => createHmac('sha256', key).update(`${purpose}\n${text}`, 'utf8').digest('base64url');

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The token of the sign-in link a `sign-in` outbox row carries, made from the row's own token:
 * nothing stores the link itself; the request stores only its hash.
 */
export const signInLinkToken = (key: string, outboxToken: string): string => sign(key, 'sign-in', outboxToken);

/** The CSRF token of a form, bound to the session's (or the visitor's) cookie token. */
export const csrfToken = (key: string, cookieToken: string): string => sign(key, 'csrf', cookieToken).slice(0, 32);
export const csrfMatches = (key: string, cookieToken: string, sent: unknown): boolean =>
  typeof sent === 'string' && cookieToken !== '' && same(sent, csrfToken(key, cookieToken));

/** What an unsubscribe link names: one collaborator row of one case, for one address. */
export interface UnsubscribeTarget {
  collaboratorId: number;
  caseId: number;
  email: string;
}

const unsubscribeText = (t: UnsubscribeTarget): string => `${t.collaboratorId}:${t.caseId}:${normalizeEmail(t.email)}`;

/** `<collaborator id>.<signature>`: cannot be made for another row, case or address without the key. */
export const unsubscribeToken = (key: string, t: UnsubscribeTarget): string => `${t.collaboratorId}.${sign(key, 'unsubscribe', unsubscribeText(t))}`;

/** The collaborator id a token names, read before its row is looked up; null when malformed. */
export function unsubscribeIdOf(token: string): number | null {
  const m = /^(\d{1,15})\.[A-Za-z0-9_-]{43}$/.exec(token);
  return m ? Number(m[1]) : null;
}

/** Whether the token was made for exactly this row, case and address. */
export const unsubscribeMatches = (key: string, token: string, t: UnsubscribeTarget): boolean => same(token, unsubscribeToken(key, t));

/** The person signed in: their address and their active, eligible contact records. */
export interface Viewer {
  email: string;
  contacts: ReadonlyArray<{ id: number; accountId: number | null; helpAdmin: boolean }>;
}

export type CaseAccess = 'contact' | 'help-admin' | 'forbidden';

/**
 * The case contact sees their case; a help admin every case of their account; nobody else (a
 * collaborator neither: they follow the case by mail).
 */
export function portalAccess(viewer: Viewer, c: { contactId: number | null; accountId: number | null }): CaseAccess {
  if (c.contactId !== null && viewer.contacts.some((v) => v.id === c.contactId)) return 'contact';
  if (c.accountId !== null && viewer.contacts.some((v) => v.helpAdmin && v.accountId === c.accountId)) return 'help-admin';
  return 'forbidden';
}

/** `Content-Disposition` for a download: an ASCII fallback and the UTF-8 name (RFC 6266), never a header break. */
export function contentDisposition(filename: string): string {
  const name = [...filename].map((ch) => (ch.charCodeAt(0) < 0x20 || ch === '\u007f' || ch === '/' || ch === '\\' ? '_' : ch)).join('').slice(0, 200) || 'attachment';
  const ascii = name.replace(/[^\u0020-\u007e]/g, '_').replace(/["%;]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The type a download is served with: the stored one when it is a plain `type/subtype`, else octet-stream. */
export function downloadType(stored: string): string {
  const t = stored.trim().toLowerCase();
  return t.length <= 100 && /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(t) ? t : 'application/octet-stream';
}
