// The server side of a benchmark, run as a child process so that the load generator does not share
// its event loop:
//   node dist/bench/server.js casegate --db FILE [--explain FILE] [--dns IP:PORT]   the product's
//        inbound server; with --dns, sender authentication (enforce) through that resolver, else off;
//        --db may be a postgres:// URL (then --blob-dir DIR; no --explain, no inbound count)
//   node dist/bench/server.js sink                                  a bare smtp-server that discards
//   node dist/bench/server.js dns                                   the loopback DNS server of the
//        benchmarks (bench/dns.ts): SPF and DMARC p=reject records of the customers' domains
// Prints one JSON line {"port": N} once listening; SIGTERM (or the parent closing stdin) stops it.
import fs from 'node:fs';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../src/config.js';
import Database from 'better-sqlite3';
import { GATEWAY_OPEN, isPostgresUrl, openDb, type Db, type Tx } from '../src/db/client.js';
import { createGateway } from '../src/app.js';
import { createLog } from '../src/log.js';
import { createMetrics } from '../src/metrics.js';
import { outboxGauges } from '../src/db/outbox.js';
import { BENCH_DOMAIN } from './mail.js';
import { startDns, type DnsRecord } from './dns.js';

interface Running {
  port: number;
  /** Stops the server; what it returns is printed as the last JSON line. */
  stop(): Promise<object>;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

/** The bare baseline: smtp-server with the same protocol options, reading and discarding each message. */
async function startSink(): Promise<Running> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideENHANCEDSTATUSCODES: true,
    size: 35 * 1024 * 1024,
    maxClients: 200,
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => callback(null, 'discarded'));
    },
  });
  server.on('error', (err) => console.error(`bench sink: ${err.message}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('sink has no TCP address');
  return { port: address.port, stop: () => new Promise<object>((resolve) => server.close(() => resolve({}))) };
}

/**
 * The database with two counters in its way: every write transaction (each one a commit, an fsync)
 * and, with `recordStatements` (--explain), every SQL text the product runs, to print the query
 * plans of the hot path. Without --explain the statements go straight to the engine: wrapping each
 * transaction and statement cost ~1 % of the server's main thread, which the rows would count as
 * the product's.
 */
function instrumented(db: Db, recordStatements: boolean): { db: Db; statements: Set<string>; counter: { commits: number } } {
  const statements = new Set<string>();
  const counter = { commits: 0 };
  const seen = (tx: Tx): Tx => ({
    dialect: tx.dialect,
    all: (sql, params) => (statements.add(sql), tx.all(sql, params)),
    get: (sql, params) => (statements.add(sql), tx.get(sql, params)),
    run: (sql, params) => (statements.add(sql), tx.run(sql, params)),
    insert: (sql, params) => (statements.add(sql), tx.insert(sql, params)),
    savepoint: (work, keep) => tx.savepoint((inner) => work(seen(inner)), keep),
  });
  const wrapped: Db = {
    dialect: db.dialect,
    location: db.location,
    blobs: db.blobs,
    transaction(work, mode = 'write') {
      if (mode === 'write') counter.commits++;
      return recordStatements ? db.transaction((tx) => work(seen(tx)), mode) : db.transaction(work, mode);
    },
    close: () => db.close(),
  };
  return { db: wrapped, statements, counter };
}

export interface ServerStats {
  /** DNS questions answered (the dns child). */
  queries?: number;
  /** Outermost transactions committed. */
  commits?: number;
  /** Inbound log rows written while the server ran (one per message and recipient). */
  inbound?: number;
  /** CPU time of the main thread, and of every other thread (the store thread, libuv's pool, V8's helpers), in ms. */
  cpu?: { main: number; other: number };
  /** CPU time of the casegate child over its whole life (user + system, start-up included), ms. */
  cpuMs?: number;
}

/** CPU time by thread from /proc/self/task (Linux): the main thread's and the rest's, in ms. */
function cpuByThread(): ServerStats['cpu'] {
  const tick = 10; // USER_HZ = 100 on Linux
  let main = 0;
  let other = 0;
  try {
    for (const tid of fs.readdirSync('/proc/self/task')) {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * tick;
      if (Number(tid) === process.pid) main += ms;
      else other += ms;
    }
  } catch {
    return undefined;
  }
  return { main, other };
}

export interface PlannedStatement {
  sql: string;
  plan: string[];
}

/** The plans of `statements` on the SQLite file (a connection of its own: the bench reads SQLite raw, on purpose). */
function explain(file: string, statements: Iterable<string>): PlannedStatement[] {
  const sqlite = new Database(file, { readonly: true });
  const out: PlannedStatement[] = [];
  for (const sql of statements) {
    if (!/^\s*(select|insert|update|delete|with)\b/i.test(sql)) continue;
    const stmt = sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`);
    let rows: { detail: string }[] | null = null;
    // Query plans do not depend on the values; bind as many nulls as the statement takes.
    for (let n = 0; n <= 40 && rows === null; n++) {
      try {
        rows = stmt.all(...new Array<null>(n).fill(null)) as { detail: string }[];
      } catch (err) {
        if (!/parameter|bind/i.test((err as Error).message)) throw err;
      }
    }
    out.push({ sql: sql.replace(/\s+/g, ' ').trim(), plan: (rows ?? []).map((r) => r.detail) });
  }
  sqlite.close();
  return out;
}

/** Inbound log rows in the SQLite file, read raw. */
function inboundRows(file: string): number {
  const sqlite = new Database(file, { readonly: true });
  try {
    return (sqlite.prepare('SELECT count(*) AS n FROM inbound').get() as { n: number }).n;
  } finally {
    sqlite.close();
  }
}

async function startCasegate(): Promise<Running> {
  const file = option('--db');
  if (!file) throw new Error('casegate mode needs --db FILE');
  const explainTo = option('--explain');
  // All the load comes from 127.0.0.1 (row 4 opens 21 connections): the per-IP limit, an abuse
  // guard, is not what the benchmarks measure.
  const dns = option('--dns');
  const config = loadConfig(
    { db: file, host: '127.0.0.1', port: 0 },
    {
      CASEGATE_DOMAIN: BENCH_DOMAIN,
      CASEGATE_MAX_CONNECTIONS_PER_IP: '200',
      ...(dns ? { CASEGATE_SENDER_AUTH: 'enforce', CASEGATE_DNS_SERVERS: dns } : { CASEGATE_SENDER_AUTH: 'off' }),
    },
  );
  // PostgreSQL is shared by every gateway of a row: the parent counts the messages, not the child.
  const postgres = isPostgresUrl(file);
  const blobDir = option('--blob-dir');
  if (postgres && (explainTo || !blobDir)) throw new Error('casegate mode on PostgreSQL needs --blob-dir DIR and takes no --explain');
  // Opened here so that the counters are in place before the gateway runs any statement.
  const { db, statements, counter } = instrumented(await openDb(file, { ...GATEWAY_OPEN, ...(blobDir ? { blobDir } : {}) }), explainTo !== undefined);
  const inboundBefore = postgres ? 0 : inboundRows(file);
  // Counted and logged as serve does (metrics on, one JSON line per transaction), the lines into /dev/null.
  const metrics = createMetrics(() => db.transaction((tx) => outboxGauges(tx), 'read'));
  const log = createLog('json', fs.createWriteStream('/dev/null'));
  // --explain needs every statement the product runs on this connection: the store thread's run on its own.
  // CASEGATE_BENCH_STORE_THREAD=on|off overrides the product's default (CASEGATE_STORE_THREAD, off) for rows 1c/1d.
  const wanted = process.env.CASEGATE_BENCH_STORE_THREAD;
  const storeThread = !explainTo && (wanted === undefined ? config.storeThread : wanted === 'on');
  const gateway = await createGateway(config, { db, dispatch: false, metrics, log, storeThread });
  const where = await gateway.start();
  if (where === null) throw new Error('the gateway has no inbound server');
  return {
    port: where.port,
    async stop() {
      // Read while every thread still runs: an ended thread leaves /proc/self/task with its CPU time.
      const cpu = cpuByThread();
      await gateway.stop();
      await db.close();
      // The store thread's groups are commits too.
      const threadCommits = 'commits' in gateway.committer ? (gateway.committer as { commits: number }).commits : 0;
      counter.commits += threadCommits;
      if (explainTo) fs.writeFileSync(explainTo, JSON.stringify(explain(file, statements), null, 2));
      const used = process.cpuUsage();
      const cpuMs = Math.round((used.user + used.system) / 1000);
      const stats: ServerStats = postgres ? { commits: counter.commits, cpu, cpuMs } : { commits: counter.commits, inbound: inboundRows(file) - inboundBefore, cpu, cpuMs };
      return stats;
    },
  };
}

/**
 * The customers of bench/seed.ts write from customer<N>.bench over 127.0.0.1: SPF names that address
 * and DMARC says p=reject, so each reply passes DMARC (aligned SPF) after an SPF, a DMARC lookup.
 */
function benchRecords(name: string): DnsRecord[] | undefined {
  if (/^customer\d*\.bench$/.test(name)) return [{ type: 'TXT', value: 'v=spf1 ip4:127.0.0.1 -all' }];
  if (/^_dmarc\.customer\d*\.bench$/.test(name)) return [{ type: 'TXT', value: 'v=DMARC1; p=reject' }];
  return undefined;
}

async function startBenchDns(): Promise<Running> {
  const server = await startDns(benchRecords);
  return {
    port: server.port,
    async stop() {
      await server.close();
      return { queries: server.queries.length };
    },
  };
}

async function main(): Promise<void> {
  const kind = process.argv[2];
  const running = kind === 'sink' ? await startSink() : kind === 'casegate' ? await startCasegate() : kind === 'dns' ? await startBenchDns() : null;
  if (!running) throw new Error(`unknown server kind "${kind}"; use casegate, sink or dns`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    running.stop().then(
      (stats) => {
        process.stdout.write(`${JSON.stringify(stats)}\n`, () => process.exit(0));
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ port: running.port })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
