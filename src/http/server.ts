// The HTTP server of SPEC §8 and §11: Web-to-Case, the Help portal and API v1 on one Fastify instance (chosen for its
// JSON-schema validation of every request, compiled once, and because it is the usual choice on
// Node). start()/stop() like the SMTP server; each request is logged in one line.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { registerApi, send } from './api.js';
import { httpError } from './errors.js';
import { notFoundPage } from './pages.js';
import { registerWebToCase } from './webToCase.js';
import { registerPortal } from './portal/index.js';
import { registerOps, type OpsDeps } from './ops.js';
import type { Log } from '../log.js';

export interface HttpServerOptions {
  /** The clock of rate limits, daily limit and new records; Date.now by default. */
  now?: () => number;
  /** Where the one line per request goes (tests); else `logger`. */
  log?: (line: string) => void;
  /** The process's log: one event per request (method, path, status, ms, client). */
  logger?: Log;
  /** /metrics, /healthz and /readyz (serve); absent: not served. */
  ops?: Omit<OpsDeps, 'db' | 'config'>;
  /** Called after a request queued mail. */
  onQueued?: () => void;
}

export interface HttpServer {
  start(): Promise<{ host: string; port: number }>;
  stop(): Promise<void>;
}

export function createHttpServer(deps: { db: Db; config: Config }, options: HttpServerOptions = {}): HttpServer {
  const { config } = deps;
  const now = options.now ?? Date.now;
  const logger = options.logger;
  const log = options.log ?? ((line: string, fields: Record<string, unknown>) => (logger ? logger.info(line, fields) : console.log(line)));
  const onQueued = options.onQueued ?? (() => undefined);
  let app: FastifyInstance | null = null;

  async function build(): Promise<FastifyInstance> {
    const f = Fastify({
      logger: false,
      bodyLimit: config.apiMaxBodyBytes,
      // Refuse what the schema does not name instead of dropping it, and take types as sent, so
      // that what the server accepts is what the OpenAPI document says.
      ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    });
    f.addHook('onResponse', async (req, reply) => {
      // The path only: a query may carry a search term or a token. No header, no body.
      const p = req.url.split('?')[0] as string;
      const ms = Number(reply.elapsedTime.toFixed(1));
      log(`http ${req.method} ${p} ${reply.statusCode} ${ms.toFixed(1)}ms`, { event: 'http', method: req.method, path: p, status: reply.statusCode, client: req.ip, ms });
    });
    f.setNotFoundHandler((req, reply) => {
      if (req.url.startsWith('/api/')) return send(reply, httpError(404, `no API operation ${req.method} ${req.url.split('?')[0]}; see /api/v1/openapi.json`));
      return reply.code(404).type('text/html; charset=utf-8').send(notFoundPage());
    });
    f.get('/', async (_req, reply) => reply.redirect('/web-to-case'));
    if (options.ops) registerOps(f, { ...deps, ...options.ops });
    registerApi(f, { ...deps, now, onQueued });
    await registerWebToCase(f, { ...deps, now, onQueued });
    await registerPortal(f, { ...deps, now, onQueued, log: (line: string) => log(line, { event: 'portal' }) });
    return f;
  }

  return {
    async start() {
      app = await build();
      await app.listen({ host: config.httpHost, port: config.httpPort ?? 0 });
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : (config.httpPort ?? 0);
      return { host: config.httpHost, port };
    },
    async stop() {
      const running = app;
      app = null;
      await running?.close();
    },
  };
}
