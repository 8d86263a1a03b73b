// Operating endpoints on the HTTP port: GET /metrics (Prometheus text), GET /healthz (the process
// answers) and GET /readyz (database reachable, free space above CASEGATE_MIN_FREE_BYTES, listeners
// up: 200, else 503 with a JSON body naming each problem and what to do).
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { freeBytes } from '../db/blobs.js';
import { pingDb, type Db } from '../db/client.js';
import type { Metrics } from '../metrics.js';

export interface OpsDeps {
  db: Db;
  config: Config;
  metrics: Metrics;
  /** Each listener of the process and whether it is accepting connections (smtp, http). */
  listeners: () => Record<string, boolean>;
}

/** How long /readyz waits for the database before it calls it unreachable. */
const DB_CHECK_MS = 2000;

export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; problem?: string }>;
}

export function registerOps(f: FastifyInstance, deps: OpsDeps): void {
  f.get('/metrics', async (_req, reply) => {
    const text = await deps.metrics.scrape();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
  f.get('/healthz', async (_req, reply) => reply.type('application/json').send({ status: 'ok' }));
  f.get('/readyz', async (_req, reply) => {
    const r = await readiness(deps);
    return reply.code(r.ready ? 200 : 503).type('application/json').send(r);
  });
}

export async function readiness(deps: OpsDeps): Promise<Readiness> {
  const checks: Readiness['checks'] = {};
  checks.database = await checkDb(deps.db);
  checks.disk = checkDisk(deps.db.blobs.localDir, deps.config.minFreeBytes);
  for (const [name, up] of Object.entries(deps.listeners())) {
    checks[name] = up ? { ok: true } : { ok: false, problem: `the ${name} listener is not accepting connections; see the log of serve` };
  }
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

async function checkDb(db: Db): Promise<{ ok: boolean; problem?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${DB_CHECK_MS} ms`)), DB_CHECK_MS);
  });
  try {
    await Promise.race([pingDb(db), timeout]);
    return { ok: true };
  } catch (err) {
    return { ok: false, problem: `database ${db.location} unreachable (${(err as Error).message}); new mail is answered 451 until it is back` };
  } finally {
    clearTimeout(timer);
  }
}

function checkDisk(dir: string, min: number): { ok: boolean; problem?: string } {
  if (min === 0) return { ok: true };
  try {
    const free = freeBytes(dir);
    if (free >= min) return { ok: true };
    return { ok: false, problem: `${free} bytes free under ${dir}, below CASEGATE_MIN_FREE_BYTES ${min}; new mail is answered 452: free space` };
  } catch (err) {
    return { ok: false, problem: `cannot read the free space under ${dir} (${(err as Error).message})` };
  }
}
