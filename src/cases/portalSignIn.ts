// Signing in to the Help portal by mail (SPEC §11): a request records itself (the limits count
// every request, known address or not) and, for an active, eligible contact under the limits,
// writes a `sign-in` outbox row whose link's hash is kept; following the link once, within 15
// minutes, opens a session of 8 hours. Sessions and requests live in the database, so any node
// serves them.
import type { Tx } from '../db/engine.js';
import { contactsByEmail, type ContactRow } from '../db/contacts.js';
import { insertOutbox } from '../db/outbox.js';
import { countSignIns, deleteSession, pruneSessions, insertSession, insertSignIn, sessionEmail, setSignInToken, useSignIn } from '../db/portal.js';
import { normalizeEmail } from '../domain/address.js';
import { newMessageToken, outboundMessageId } from '../domain/mailNames.js';
import { hashToken, newPortalToken, SESSION_MS, SIGN_IN_LIMITS, SIGN_IN_MS, signInLinkToken, type Viewer } from '../domain/portal.js';
import { portalKey } from './portalKey.js';

/** What a request led to; the page says the same for `sent` and `not-sent` (no enumeration). */
export type SignInOutcome = { kind: 'sent' | 'not-sent' } | { kind: 'ip-limited'; retryAfterSeconds: number };

/** A contact record that may sign in: active and eligible for support. */
const maySignIn = (c: ContactRow): boolean => c.active && c.eligible;

export async function requestSignIn(tx: Tx, domain: string, email: string, ip: string, now: number): Promise<SignInOutcome> {
  const lower = normalizeEmail(email);
  const counts = await countSignIns(tx, now - SIGN_IN_LIMITS.windowMs, { emailLower: lower, ip });
  if (counts.ip >= SIGN_IN_LIMITS.perIp) return { kind: 'ip-limited', retryAfterSeconds: Math.ceil(SIGN_IN_LIMITS.windowMs / 1000) };
  const id = await insertSignIn(tx, { emailLower: lower, ip, tokenHash: null, expiresAt: now + SIGN_IN_MS }, now);
  if (counts.address >= SIGN_IN_LIMITS.perAddress) return { kind: 'not-sent' };
  const contacts = (await contactsByEmail(tx, lower)).filter(maySignIn);
  if (contacts.length === 0) return { kind: 'not-sent' };
  const key = await portalKey(tx, now);
  const token = newMessageToken(now);
  await insertOutbox(
    tx,
    {
      caseId: null,
      commentId: null,
      kind: 'sign-in',
      recipient: (contacts[0] as ContactRow).email,
      recipientLower: lower,
      token,
      messageId: outboundMessageId(token, domain),
      status: 'pending',
      lastError: null,
      replyAddressId: null,
    },
    now,
  );
  await setSignInToken(tx, id, hashToken(signInLinkToken(key, token)));
  return { kind: 'sent' };
}

/** Follows a sign-in link: a new session's cookie token, or null when the link is unknown, used or expired. */
export async function redeemSignIn(tx: Tx, linkToken: string, now: number): Promise<{ sessionToken: string; expiresAt: number } | null> {
  const used = await useSignIn(tx, hashToken(linkToken), now);
  if (used === undefined) return null;
  // The person may have been made inactive since the link was sent.
  if (!(await contactsByEmail(tx, used.emailLower)).some(maySignIn)) return null;
  const sessionToken = newPortalToken();
  const expiresAt = now + SESSION_MS;
  await insertSession(tx, { tokenHash: hashToken(sessionToken), emailLower: used.emailLower, expiresAt }, now);
  // Ended sessions, and requests older than a day (past every limit's window), are dropped here: sign-ins are rare.
  await pruneSessions(tx, now, now - 86_400_000);
  return { sessionToken, expiresAt };
}

/** The person of a live session with their contact records that may use the portal; null otherwise. */
export async function viewerOf(tx: Tx, sessionToken: string, now: number): Promise<Viewer | null> {
  const email = await sessionEmail(tx, hashToken(sessionToken), now);
  if (email === undefined) return null;
  const contacts = (await contactsByEmail(tx, email)).filter(maySignIn);
  if (contacts.length === 0) return null;
  return { email: (contacts[0] as ContactRow).email, contacts: contacts.map((c) => ({ id: c.id, accountId: c.accountId, helpAdmin: c.helpAdmin })) };
}

export async function signOut(tx: Tx, sessionToken: string): Promise<void> {
  await deleteSession(tx, hashToken(sessionToken));
}
