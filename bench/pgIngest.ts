// Rows 7a/7b: ingest on PostgreSQL. 4 KiB replies from each case's contact to its case address (as
// row 1b: 1,000 cases with 20 collaborators each, so every reply writes a comment, its inbound log
// row and 20 outbox rows) over 20 parallel sessions, through ONE gateway process (7a), then through
// TWO gateway processes on the same database, the sessions spread over both (7b), each on a database
// of its own seeded the same. 7a's baseline is the discarding smtp-server (as 1b); 7b's is 7a.
import path from 'node:path';
import { startServerChild, type ServerChild } from './child.js';
import { describeIngest, measureIngest, refusalNote, type IngestFigures, type IngestLoad } from './ingest.js';
import type { ReplyTarget } from './mail.js';
import { benchPostgres, postgresUnavailable, skippedRows, withBenchDatabase } from './postgres.js';
import { withClient } from '../test/helpers/postgresCluster.js';
import { seedPostgres } from './seedPostgres.js';
import { percentile, ratio } from './stats.js';
import type { BenchContext, Row } from './table.js';

/** Runs that went on at the same time as one: all their messages over the time from the first start to the last end. */
function together(runs: readonly IngestFigures[]): IngestFigures {
  const latencies = runs.flatMap((r) => r.load.latencies);
  const codes: Record<number, number> = {};
  for (const r of runs) for (const [code, n] of Object.entries(r.load.codes)) codes[Number(code)] = (codes[Number(code)] ?? 0) + n;
  const sent = runs.reduce((a, r) => a + r.sent, 0);
  const startedAt = Math.min(...runs.map((r) => r.load.startedAt));
  const elapsedMs = Math.max(...runs.map((r) => r.load.startedAt + r.load.elapsedMs)) - startedAt;
  const ms = latencies.map((r) => r.latencyMs);
  const msgsPerSec = (sent / elapsedMs) * 1000;
  return {
    msgsPerSec,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    sent,
    refused: runs.reduce((a, r) => a + r.refused, 0),
    load: { sent, startedAt, elapsedMs, msgsPerSec, latencies, codes, errors: runs.flatMap((r) => r.load.errors) },
  };
}

/** `load.sessions` spread over the servers (as evenly as they go), all sending at once. */
async function spread(ports: readonly number[], targets: readonly ReplyTarget[], load: IngestLoad): Promise<IngestFigures> {
  const share = (i: number) => Math.floor(load.sessions / ports.length) + (i < load.sessions % ports.length ? 1 : 0);
  return together(await Promise.all(ports.map((port, i) => measureIngest(port, targets, { ...load, sessions: share(i) }))));
}

interface Measured {
  figures: IngestFigures;
  /** Commits of each gateway, and the messages answered 250 in all (warm-up included). */
  commits: number[];
  accepted: number;
  /** CPU ms of each gateway process over its life (start-up and warm-up included). */
  cpuMs: number[];
  /** WAL flushes (fsyncs) of the cluster while the gateways ran, from pg_stat_wal. */
  walSyncs: number;
}

/** WAL flushes of the whole cluster so far (pg_stat_wal; one row runs at a time). */
const walSyncs = (url: string): Promise<number> => withClient(url, async (c) => Number((await c.query<{ n: string }>('SELECT wal_sync AS n FROM pg_stat_wal')).rows[0]?.n));

interface Loads {
  warm: IngestLoad;
  many: IngestLoad;
  /** Cases (all hot) and old comments per case in the database. */
  cases: number;
  commentsPerCase: number;
}

async function throughGateways(url: string, ctx: BenchContext, gateways: number, loads: Loads): Promise<Measured> {
  const seeded = await seedPostgres(url, { cases: loads.cases, hotEvery: 1, commentsPerCase: loads.commentsPerCase });
  const blobDir = path.join(ctx.dir, `ingest-pg-${gateways}-blobs`);
  const servers: ServerChild[] = [];
  const syncsBefore = await walSyncs(url);
  try {
    for (let i = 0; i < gateways; i++) {
      servers.push(await startServerChild('casegate', { db: url, blobDir, ...ctx.profile(`ingest-pg-${gateways}-${i + 1}`) }));
    }
    const ports = servers.map((s) => s.port);
    const warm = await spread(ports, seeded.hot, { ...loads.warm, sessions: Math.max(loads.warm.sessions, gateways) });
    const figures = await spread(ports, seeded.hot, loads.many);
    const stats = await Promise.all(servers.splice(0).map((s) => s.stop()));
    const accepted = (warm.load.codes[250] ?? 0) + (figures.load.codes[250] ?? 0);
    return { figures, commits: stats.map((s) => s.commits ?? 0), accepted, cpuMs: stats.map((s) => s.cpuMs ?? 0), walSyncs: (await walSyncs(url)) - syncsBefore };
  } finally {
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
  }
}

/** The sink discards every message: any envelope does. */
const SINK: ReplyTarget[] = [{ address: 'case+sink@cases.bench', number: '00000000', subject: 'Sink', contact: 'contact@customer.bench' }];

export async function benchPgIngest(ctx: BenchContext): Promise<Row[]> {
  const many: IngestLoad = { sessions: ctx.smoke ? 4 : 20, perSession: ctx.smoke ? 3 : 500, maxMs: 10_000 };
  const warm: IngestLoad = { sessions: ctx.smoke ? 2 : 20, perSession: ctx.smoke ? 1 : 10, maxMs: 5_000 };
  const rows = [
    { id: '7a', name: `PostgreSQL: ingest 4 KiB replies, ${many.sessions} sessions, 1 gateway` },
    { id: '7b', name: `PostgreSQL: ingest 4 KiB replies, ${many.sessions} sessions, 2 gateways` },
  ];
  const why = postgresUnavailable();
  if (why !== null) {
    ctx.notes.push(`rows 7a/7b skipped: ${why}`);
    return skippedRows(rows);
  }
  const cluster = await benchPostgres();
  const sink = await startServerChild('sink');
  let base: IngestFigures;
  try {
    await measureIngest(sink.port, SINK, warm);
    base = await measureIngest(sink.port, SINK, many);
  } finally {
    await sink.stop();
  }
  // The smoke run only checks that the rows run: a small database is seeded faster.
  const loads: Loads = { warm, many, cases: ctx.smoke ? 20 : 1000, commentsPerCase: ctx.smoke ? 1 : 10 };
  const one = await withBenchDatabase(cluster, (url) => throughGateways(url, ctx, 1, loads));
  const two = await withBenchDatabase(cluster, (url) => throughGateways(url, ctx, 2, loads));
  ctx.notes.push(...refusalNote('row 7a', one.figures), ...refusalNote('row 7b', two.figures));
  for (const [id, m] of [['7a', one], ['7b', two]] as const) {
    const commits = m.commits.reduce((a, c) => a + c, 0);
    if (commits > 0) {
      ctx.notes.push(
        `row ${id}: the gateway${m.commits.length > 1 ? 's' : ''} committed ${m.commits.join(' + ')} transactions for ${m.accepted} messages answered 250 ` +
          `(${(m.accepted / commits).toFixed(2)} messages per commit), PostgreSQL flushed its WAL ${m.walSyncs} times; ` +
          `gateway CPU ${m.cpuMs.map((ms) => (ms / 1000).toFixed(1)).join(' + ')} s (start-up included), ` +
          `${(m.cpuMs.reduce((a, c) => a + c, 0) / m.accepted).toFixed(1)} ms per message`,
      );
    }
  }
  return [
    { ...(rows[0] as Row), casegate: describeIngest(one.figures), baseline: describeIngest(base), ratio: ratio(one.figures.msgsPerSec, base.msgsPerSec), target: null },
    {
      ...(rows[1] as Row),
      casegate: describeIngest(two.figures),
      baseline: `${describeIngest(one.figures)} (row 7a, 1 gateway)`,
      ratio: ratio(two.figures.msgsPerSec, one.figures.msgsPerSec),
      target: null,
    },
  ];
}
