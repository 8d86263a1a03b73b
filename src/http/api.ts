// API v1 (SPEC §8): bearer key → rate limit → permission → schema → the services of src/cases and
// src/admin → the views the CLI prints with --json. Errors are JSON {error, hint}.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Db, Tx } from '../db/client.js';
import { authenticateKey } from '../admin/apiKeys.js';
import { requireContact, searchContacts } from '../admin/contacts.js';
import { actorFor, addCollaborator, removeCollaborator } from '../cases/collaborators.js';
import { linkContact, unlinkContact } from '../cases/contactLink.js';
import { escalateCase } from '../cases/escalate.js';
import { requireCase } from '../cases/find.js';
import { commentRequest } from '../cases/request.js';
import { caseDetail, caseList, collaboratorView, commentAddedView } from '../views/case.js';
import { updateCaseRequest } from '../cases/update.js';
import type { Permission } from '../domain/permissions.js';
import { invalid, OutOfReachError } from '../errors.js';
import { httpError, httpErrorOf, type HttpError } from './errors.js';
import { createRateLimiter } from './rateLimit.js';
import { CASE_PAGE_DEFAULT, CASE_PAGE_MAX, OPERATIONS, openApiDocument, type Operation } from './schemas.js';

export interface ApiDeps {
  db: Db;
  config: Config;
  now: () => number;
  /** Called after a write that queued mail, so the dispatcher sends it now. */
  onQueued: () => void;
}

type Params = { number: string };
type Handler = (req: FastifyRequest, deps: ApiDeps) => Promise<unknown>;

const body = <T>(req: FastifyRequest): T => req.body as T;
const caseOf = (tx: Tx, req: FastifyRequest) => requireCase(tx, (req.params as Params).number);

/**
 * A write answers a key with `read` with the record as the CLI prints it; a key without `read`
 * gets only what it wrote (the case number, the changed item): it learns nothing of the case, its
 * participants or its comments (internal ones above all) by writing to it.
 */
const mayRead = (req: FastifyRequest): boolean => req.apiKey?.permissions.includes('read') === true;
const answer = <T, U>(req: FastifyRequest, full: () => Promise<T>, bare: () => U): Promise<T | U> => (mayRead(req) ? full() : Promise.resolve(bare()));

/** One transaction per request: `write` for a change, `read` for a look. */
const writing = (work: (tx: Tx, req: FastifyRequest, deps: ApiDeps) => Promise<unknown>): Handler => (req, deps) => deps.db.transaction((tx) => work(tx, req, deps));
const reading = (work: (tx: Tx, req: FastifyRequest, deps: ApiDeps) => Promise<unknown>): Handler => (req, deps) => deps.db.transaction((tx) => work(tx, req, deps), 'read');

const HANDLERS: Readonly<Record<string, Handler>> = {
  'POST /api/v1/cases': writing(async (tx, req, { config, now }) => {
    const row = await escalateCase(tx, config, body(req), now());
    return answer(req, () => caseDetail(tx, row, config.domain), () => ({ number: row.number }));
  }),
  'GET /api/v1/cases': reading(async (tx, req, { config, now }) => {
    const { limit: pageText, ...q } = req.query as { status?: string; owner?: string; contact?: string; account?: string; updatedSince?: string; limit?: string; after?: string };
    const page = pageText === undefined ? CASE_PAGE_DEFAULT : Number(pageText);
    if (page < 1 || page > CASE_PAGE_MAX) throw invalid(`limit ${pageText} is not a page size; give 1 to ${CASE_PAGE_MAX} cases per page`);
    // One more than a page tells whether there is a next one.
    const found = await caseList(tx, { ...q, limit: page + 1 }, config.domain, now());
    const cases = found.slice(0, page);
    return { cases, next: found.length > page ? (cases.at(-1)?.number ?? null) : null };
  }),
  'PATCH /api/v1/cases/:number': writing(async (tx, req, { config, now }) => {
    const b = body<{ owner?: string; priority?: string; status?: string; as?: string }>(req);
    const number = (req.params as Params).number;
    const row = await updateCaseRequest(tx, number, { owner: b.owner, priority: b.priority, status: b.status, as: b.as ?? null, actor: `API key ${req.apiKey?.name}` }, now());
    // Without read, the key learns only what it wrote, as the case now spells it.
    const sent = { ...(b.owner === undefined ? {} : { owner: b.owner }), ...(b.priority === undefined ? {} : { priority: row.priority }), ...(b.status === undefined ? {} : { status: row.status }) };
    return answer(req, () => caseDetail(tx, row, config.domain), () => ({ number: row.number, ...sent }));
  }),
  'GET /api/v1/cases/:number': reading(async (tx, req, deps) => caseDetail(tx, await caseOf(tx, req), deps.config.domain)),
  'POST /api/v1/cases/:number/comments': async (req, deps) => {
    // The comment's own transaction is opened by commentRequest, after any attachment is stored.
    const row = await deps.db.transaction((tx) => caseOf(tx, req), 'read');
    const b = body<{ author: string; body: string; internal?: boolean }>(req);
    const at = deps.now();
    const internal = b.internal === true;
    const c = await commentRequest(deps.db, deps.config, row, { as: b.author, body: b.body, internal, attachments: [], source: 'api' }, at);
    return commentAddedView(row.number, c, { body: b.body, source: 'api', internal }, at);
  },
  'POST /api/v1/cases/:number/collaborators': writing(async (tx, req, deps) => {
    const row = await caseOf(tx, req);
    const b = body<{ email: string; as: string }>(req);
    const added = await addCollaborator(tx, deps.config, row, b.email, await actorFor(tx, row, b.as), deps.now());
    return answer(
      req,
      () => collaboratorView(tx, row, added.email, { id: added.id }),
      () => ({ case: row.number, email: added.email, id: added.id }),
    );
  }),
  'DELETE /api/v1/cases/:number/collaborators': writing(async (tx, req, deps) => {
    const row = await caseOf(tx, req);
    const b = body<{ email: string; as: string }>(req);
    const id = await removeCollaborator(tx, row, b.email, await actorFor(tx, row, b.as), deps.now());
    return answer(
      req,
      () => collaboratorView(tx, row, b.email, { id, removed: true }),
      () => ({ case: row.number, email: b.email, id, removed: true }),
    );
  }),
  'POST /api/v1/cases/:number/contact': writing(async (tx, req, deps) => {
    const row = await caseOf(tx, req);
    const ref = body<{ contact: string }>(req).contact;
    const linked = await linkContact(tx, row, await requireContact(tx, ref), deps.now());
    return answer(req, () => caseDetail(tx, linked, deps.config.domain), () => ({ case: linked.number, contact: ref }));
  }),
  'DELETE /api/v1/cases/:number/contact': writing(async (tx, req, deps) => {
    const unlinked = await unlinkContact(tx, await caseOf(tx, req), deps.now());
    return answer(req, () => caseDetail(tx, unlinked, deps.config.domain), () => ({ case: unlinked.number, contact: null }));
  }),
  'GET /api/v1/contacts': reading((tx, req) => searchContacts(tx, (req.query as { search: string }).search)),
};

function authorizationHeaders(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === 'authorization') n++;
  return n;
}

export function send(reply: FastifyReply, e: HttpError): FastifyReply {
  if (e.retryAfterSeconds !== undefined) void reply.header('retry-after', String(e.retryAfterSeconds));
  return reply.code(e.status).type('application/json; charset=utf-8').send(e.body);
}

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: { id: number; name: string; permissions: Permission[] };
  }
}

/** Registers /api/v1: the public OpenAPI document, then the keyed operations. */
export function registerApi(app: FastifyInstance, deps: ApiDeps): void {
  const document = openApiDocument();
  app.get('/api/v1/openapi.json', async () => document);

  void app.register(async (api) => {
    const limiter = createRateLimiter(deps.db, { scope: 'api', limit: deps.config.apiRateLimit, windowMs: 60_000, now: deps.now });
    api.setErrorHandler((err, req, reply) => {
      const e = httpErrorOf(err, deps.config.apiMaxBodyBytes, { body: req.body, querystring: req.query, params: req.params });
      // The database out of reach is logged once per outage (src/db/reach.ts), not once per request.
      if (e.status >= 500 && !(err instanceof OutOfReachError)) console.error(`casegate: http ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`);
      return send(reply, e);
    });
    // onRequest: before the body is read, so that a stranger learns nothing from validation and
    // a large body from a stranger is not read at all.
    api.addHook('onRequest', async (req, reply) => {
      // Node keeps the first of several Authorization headers; which one a proxy in front reads
      // is its own choice, so a request with more than one is refused whole.
      if (authorizationHeaders(req.raw.rawHeaders) > 1) return send(reply, httpError(401, 'send one Authorization header, "Authorization: Bearer <key>", not several'));
      const header = req.headers.authorization ?? '';
      const m = header.length > 200 ? null : /^Bearer[ \t]+([A-Za-z0-9_-]+)[ \t]*$/i.exec(header);
      if (!m) return send(reply, httpError(401, 'send the key as "Authorization: Bearer <key>", one key; make one with "casegate apikey create NAME"'));
      const presented = m[1] as string;
      const key = await deps.db.transaction((tx) => authenticateKey(tx, presented), 'read');
      if (key === null) return send(reply, httpError(401, 'this API key is not known; check it, or make one with "casegate apikey create NAME"'));
      if ('revoked' in key) return send(reply, httpError(401, 'this API key was revoked; ask for a new one ("casegate apikey create NAME")'));
      const slot = await limiter.take(String(key.id));
      if (!slot.ok) {
        return send(reply, { ...httpError(429, `this key made more than ${deps.config.apiRateLimit} requests this minute (CASEGATE_API_RATE_LIMIT); retry after ${slot.retryAfterSeconds} s`), retryAfterSeconds: slot.retryAfterSeconds });
      }
      const op = req.routeOptions.config as { operation?: Operation };
      const needed = op.operation?.permission;
      if (needed !== undefined && !key.permissions.includes(needed)) {
        return send(reply, httpError(403, `API key "${key.name}" lacks the ${needed} permission; make a key with "casegate apikey create NAME --can ${needed}"`));
      }
      req.apiKey = key;
      return undefined;
    });
    for (const op of OPERATIONS) {
      const handler = HANDLERS[`${op.method} ${op.url}`];
      if (handler === undefined) throw new Error(`no handler for ${op.method} ${op.url}`);
      api.route({
        method: op.method,
        url: op.url,
        bodyLimit: deps.config.apiMaxBodyBytes,
        config: { operation: op },
        schema: { ...(op.params ? { params: op.params } : {}), ...(op.body ? { body: op.body } : {}), ...(op.query ? { querystring: op.query } : {}) },
        handler: async (req, reply) => {
          const result = await handler(req, deps);
          if (req.method !== 'GET') deps.onQueued();
          return reply.code(op.status).send(result);
        },
      });
    }
  });
}
