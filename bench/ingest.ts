// Row 1: ingest throughput and latency of 4 KiB replies to cases with 20 collaborators (each reply
// writes a comment, its inbound log row and 20 outbox rows), over 1 and 20 parallel sessions, against
// a bare smtp-server that discards each message.
import fs from 'node:fs';
import path from 'node:path';
import { startServerChild, type ServerChild } from './child.js';
import { replyData, type ReplyTarget } from './mail.js';
import { seedDatabase } from './seed.js';
import type { ServerStats } from './server.js';
import { runLoad, type LoadResult } from './smtpClient.js';
import { percentile, ms, rate, ratio } from './stats.js';
import type { BenchContext, Row } from './table.js';

export interface IngestLoad {
  sessions: number;
  perSession: number;
  maxMs: number;
}

export interface IngestFigures {
  msgsPerSec: number;
  p50: number;
  p99: number;
  sent: number;
  refused: number;
  load: LoadResult;
}

let sequence = 0;

/** Sends replies from each case's contact to its case address, round robin over `targets`. */
export async function measureIngest(port: number, targets: readonly ReplyTarget[], load: IngestLoad, until?: Promise<unknown>): Promise<IngestFigures> {
  // Messages are built before the clock starts, as many as the run can send.
  const count = until ? 0 : load.sessions * load.perSession;
  const first = sequence;
  sequence += count;
  const prepared = Array.from({ length: count }, (_, i) => message(targets, first + i));
  const result = await runLoad({
    port,
    sessions: load.sessions,
    perSession: load.perSession,
    maxMs: load.maxMs,
    ...(until ? { until } : {}),
    message: (i) => prepared[i] ?? message(targets, sequence++),
  });
  if (result.errors.length > 0) throw new Error(`load failed: ${result.errors[0]}`);
  if (result.sent > 0 && !result.codes[250]) {
    throw new Error(`no message was answered 250 (${JSON.stringify(result.codes)}); the benchmark measures nothing`);
  }
  const latencies = result.latencies.map((r) => r.latencyMs);
  return {
    msgsPerSec: result.msgsPerSec,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    sent: result.sent,
    refused: result.sent - (result.codes[250] ?? 0),
    load: result,
  };
}

/** Several runs as one: messages over time, latencies of all. */
export function combine(runs: readonly IngestFigures[]): IngestFigures {
  const latencies = runs.flatMap((r) => r.load.latencies);
  const codes: Record<number, number> = {};
  for (const r of runs) for (const [code, n] of Object.entries(r.load.codes)) codes[Number(code)] = (codes[Number(code)] ?? 0) + n;
  const sent = runs.reduce((a, r) => a + r.sent, 0);
  const elapsedMs = runs.reduce((a, r) => a + r.load.elapsedMs, 0);
  const ms = latencies.map((r) => r.latencyMs);
  return {
    msgsPerSec: (sent / elapsedMs) * 1000,
    p50: percentile(ms, 50),
    p99: percentile(ms, 99),
    sent,
    refused: runs.reduce((a, r) => a + r.refused, 0),
    load: { sent, startedAt: Math.min(...runs.map((r) => r.load.startedAt)), elapsedMs, msgsPerSec: (sent / elapsedMs) * 1000, latencies, codes, errors: runs.flatMap((r) => r.load.errors) },
  };
}

function message(targets: readonly ReplyTarget[], seq: number) {
  const t = targets[seq % targets.length] as ReplyTarget;
  return { envelope: { mailFrom: t.contact, rcpt: t.address }, data: replyData(t, seq) };
}

export function describeIngest(f: IngestFigures): string {
  return `${rate(f.msgsPerSec)}, p50 ${ms(f.p50)}, p99 ${ms(f.p99)}`;
}

/** A note when some answers were not 250: the figures then do not measure what they claim. */
export function refusalNote(what: string, f: IngestFigures): string[] {
  if (f.refused === 0) return [];
  const codes = Object.entries(f.load.codes).map(([code, n]) => `${n}×${code}`).join(', ');
  return [`${what}: ${f.refused} of ${f.sent} messages were not answered 250 (${codes})`];
}

export async function benchIngest(ctx: BenchContext): Promise<Row[]> {
  const seeded = await seedDatabase(path.join(ctx.dir, 'ingest.db'), { cases: 1000, hotEvery: 1, commentsPerCase: 10 });
  // Rows 1c/1d: the same server with a store thread (CASEGATE_STORE_THREAD=on), on a copy of the same seed.
  fs.copyFileSync(path.join(ctx.dir, 'ingest.db'), path.join(ctx.dir, 'ingest-store-thread.db'));
  // Each run stops after its count or its time, whichever comes first.
  const one: IngestLoad = { sessions: 1, perSession: ctx.smoke ? 5 : 3000, maxMs: 8_000 };
  const many: IngestLoad = { sessions: ctx.smoke ? 4 : 20, perSession: ctx.smoke ? 3 : 500, maxMs: 10_000 };
  const warm: IngestLoad = { sessions: ctx.smoke ? 2 : 20, perSession: ctx.smoke ? 1 : 10, maxMs: 5_000 };

  const run = async (server: ServerChild) => {
    try {
      await measureIngest(server.port, seeded.hot, warm);
      const figures = { one: await measureIngest(server.port, seeded.hot, one), many: await measureIngest(server.port, seeded.hot, many) };
      return { ...figures, stats: await server.stop() };
    } catch (err) {
      await server.stop().catch(() => undefined);
      throw err;
    }
  };
  const base = await run(await startServerChild('sink'));
  const cg = await run(
    await startServerChild('casegate', { db: path.join(ctx.dir, 'ingest.db'), ...ctx.profile('ingest') }),
  );
  const threaded = await run(await startServerChild('casegate', { db: path.join(ctx.dir, 'ingest-store-thread.db'), storeThread: true }));
  ctx.notes.push(...refusalNote('row 1, 1 session', cg.one), ...refusalNote('row 1, 20 sessions', cg.many), ...refusalNote('row 1c', threaded.many));
  if (cg.stats.commits && cg.stats.inbound) {
    ctx.notes.push(
      `row 1: the casegate server committed ${cg.stats.commits} transactions for ${cg.stats.inbound} messages ` +
        `(${(cg.stats.inbound / cg.stats.commits).toFixed(2)} messages per commit, each commit one WAL sync)`,
    );
  }
  ctx.notes.push(...cpuNote('row 1: CPU per message in the casegate server', cg.stats), ...cpuNote('row 1c: CPU per message in the server with a store thread', threaded.stats));

  return [
    {
      id: '1a',
      name: 'ingest 4 KiB replies, 1 session',
      casegate: describeIngest(cg.one),
      baseline: describeIngest(base.one),
      ratio: ratio(cg.one.msgsPerSec, base.one.msgsPerSec),
      target: null,
    },
    {
      id: '1b',
      name: `ingest 4 KiB replies, ${many.sessions} sessions`,
      casegate: describeIngest(cg.many),
      baseline: describeIngest(base.many),
      ratio: ratio(cg.many.msgsPerSec, base.many.msgsPerSec),
      target: { min: 0.35 },
    },
    {
      // Issue 19: "row 1b at least twice today's figure", by moving the writes off the thread that answers sockets.
      id: '1c',
      name: 'row 1b with a store thread (CASEGATE_STORE_THREAD=on) against 1b',
      casegate: describeIngest(threaded.many),
      baseline: `${cg.many.msgsPerSec.toFixed(0)} msg/s (row 1b)`,
      ratio: ratio(threaded.many.msgsPerSec, cg.many.msgsPerSec),
      target: { min: 2 },
    },
    {
      id: '1d',
      name: "p99 latency with a store thread against row 1b's",
      casegate: ms(threaded.many.p99),
      baseline: ms(cg.many.p99),
      ratio: ratio(threaded.many.p99, cg.many.p99),
      target: { max: 1 },
    },
  ];
}

/** `what: main thread X ms, its other threads Y ms` per message, when the server said its CPU time. */
function cpuNote(what: string, stats: ServerStats): string[] {
  if (!stats.cpu || !stats.inbound) return [];
  const per = (msTotal: number): string => `${(msTotal / (stats.inbound as number)).toFixed(2)} ms`;
  return [`${what}: main thread ${per(stats.cpu.main)}, its other threads ${per(stats.cpu.other)}`];
}
