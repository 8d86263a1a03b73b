// A person using the Help portal over real HTTP: a cookie jar, the CSRF token read from the page
// like a browser's form would send it, and the sign-in link taken from the `sign-in` outbox row
// (composed as the dispatcher would mail it).
import type { Db } from '../../src/db/client.js';
import type { Config } from '../../src/config.js';
import { outboxById } from '../../src/db/outbox.js';
import { loadNotification } from '../../src/outbound/load.js';
import { composeNotification } from '../../src/outbound/compose.js';
import { query } from './testDb.js';

export interface Page {
  status: number;
  html: string;
  headers: Headers;
  location: string | null;
}

export interface PortalUser {
  cookies: Map<string, string>;
  get(path: string): Promise<Page>;
  /** Posts a url-encoded form; `csrf` is taken from the last page seen unless given. */
  post(path: string, fields: Record<string, string>, opts?: { csrf?: string | null }): Promise<Page>;
  /** The CSRF token of the last page seen. */
  csrf(): string;
}

export function portalUser(base: string): PortalUser {
  const cookies = new Map<string, string>();
  let lastCsrf = '';
  const keep = (res: Response): void => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, at);
      const value = (pair ?? '').slice(at + 1);
      if (/Max-Age=0/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
  };
  const send = async (path: string, init: RequestInit = {}): Promise<Page> => {
    const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${base}${path}`, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    keep(res);
    const html = await res.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html);
    if (csrf) lastCsrf = csrf[1] as string;
    return { status: res.status, html, headers: res.headers, location: res.headers.get('location') };
  };
  return {
    cookies,
    get: (path) => send(path),
    post: (path, fields, opts = {}) => {
      const csrf = opts.csrf === undefined ? lastCsrf : opts.csrf;
      const body = new URLSearchParams({ ...fields, ...(csrf === null ? {} : { csrf }) }).toString();
      return send(path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    },
    csrf: () => lastCsrf,
  };
}

/** The path of the sign-in link mailed to `email` last (from its outbox row), or null when none was. */
export async function signInLink(db: Db, config: Config, email: string): Promise<string | null> {
  const [row] = await query<{ id: number }>(db, "SELECT id FROM outbox WHERE kind = 'sign-in' AND recipient_lower = ? ORDER BY id DESC LIMIT 1", [email.toLowerCase()]);
  if (row === undefined) return null;
  const mail = await db.transaction(async (tx) => composeNotification(await loadNotification(tx, config, db.blobs, (await outboxById(tx, row.id))!)), 'read');
  const m = /\/help\/s\/[A-Za-z0-9_-]+/.exec(String(mail.text));
  return m ? m[0] : null;
}

/** Signs `email` in through the form and the mailed link; the signed-in user. */
export async function signIn(base: string, db: Db, config: Config, email: string): Promise<PortalUser> {
  const user = portalUser(base);
  await user.get('/help');
  const asked = await user.post('/help/sign-in', { email });
  if (asked.status !== 200) throw new Error(`sign-in request for ${email} answered ${asked.status}`);
  const link = await signInLink(db, config, email);
  if (link === null) throw new Error(`no sign-in link was mailed to ${email}`);
  const followed = await user.get(link);
  if (followed.status !== 303) throw new Error(`the sign-in link of ${email} answered ${followed.status}`);
  return user;
}
