// Cookies of the Help portal, read and written by hand (two cookies, no dependency): the session
// (`casegate_session`) and, before sign-in, the visitor token the sign-in form's CSRF token is
// bound to (`casegate_visitor`). HttpOnly, SameSite=Lax, Path=/help; Secure behind https.

export const SESSION_COOKIE = 'casegate_session';
export const VISITOR_COOKIE = 'casegate_visitor';

/** Cookie values by name from a `Cookie` header (bounded: the header is at most Node's header limit). */
export function readCookies(header: string | undefined): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    if (!found.has(name)) found.set(name, part.slice(at + 1).trim());
  }
  return found;
}

/** A cookie that only `/help` pages get, never script; `maxAgeSeconds` 0 clears it. */
export function cookie(name: string, value: string, opts: { secure: boolean; maxAgeSeconds: number }): string {
  return [`${name}=${value}`, 'Path=/help', 'HttpOnly', 'SameSite=Lax', `Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`, ...(opts.secure ? ['Secure'] : [])].join('; ');
}

/** A token as we make them (base64url, 43 characters), else null: anything else is not ours. */
export const tokenShape = (value: string | undefined): string | null => (value !== undefined && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null);
