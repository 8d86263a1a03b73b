// What every Help portal route shares: the database, the portal key (made once, then cached), the
// cookies' Secure flag, who is signed in, and the CSRF check.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { portalKey } from '../../cases/portalKey.js';
import { viewerOf } from '../../cases/portalSignIn.js';
import { csrfMatches, csrfToken, type Viewer } from '../../domain/portal.js';
import { readCookies, SESSION_COOKIE, tokenShape } from './cookies.js';

export interface PortalDeps {
  db: Db;
  config: Config;
  now: () => number;
  onQueued: () => void;
  log: (line: string) => void;
}

export interface Session {
  viewer: Viewer;
  token: string;
  csrf: string;
}

export interface PortalContext extends PortalDeps {
  secure: boolean;
  key(): Promise<string>;
  session(req: FastifyRequest): Promise<Session | null>;
  /** Whether the form's `csrf` field belongs to this cookie token. */
  csrfOk(cookieToken: string | null, body: unknown): Promise<boolean>;
}

export const html = (reply: FastifyReply, status: number, body: string): FastifyReply =>
  reply.code(status).header('cache-control', 'no-store').header('x-frame-options', 'DENY').type('text/html; charset=utf-8').send(body);

/** A field of a url-encoded form body, as text ('' when absent). */
export const field = (body: unknown, name: string): string => {
  const v = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' ? v : '';
};

export function portalContext(deps: PortalDeps): PortalContext {
  let cached: string | undefined;
  const key = async (): Promise<string> => (cached ??= await deps.db.transaction((tx) => portalKey(tx, deps.now())));
  return {
    ...deps,
    secure: deps.config.publicUrl?.startsWith('https://') ?? false,
    key,
    async session(req) {
      const token = tokenShape(readCookies(req.headers.cookie).get(SESSION_COOKIE));
      if (token === null) return null;
      const viewer = await deps.db.transaction((tx) => viewerOf(tx, token, deps.now()), 'read');
      return viewer === null ? null : { viewer, token, csrf: csrfToken(await key(), token) };
    },
    async csrfOk(cookieToken, body) {
      return cookieToken !== null && csrfMatches(await key(), cookieToken, field(body, 'csrf'));
    },
  };
}
