// Row 4: one 30 MiB message with a 22 MiB attachment while 20 sessions send 4 KiB replies. Peak
// resident memory (VmHWM) of the casegate server process, and the p99 latency of the small replies
// answered while the large one was in flight, against their p99 on the same server just before.
import path from 'node:path';
import { startServerChild } from './child.js';
import { largeData, MIB, type ReplyTarget } from './mail.js';
import { measureIngest, refusalNote } from './ingest.js';
import { seedDatabase } from './seed.js';
import { SmtpSession } from './smtpClient.js';
import { mib, ms, percentile, ratio } from './stats.js';
import type { BenchContext, Row } from './table.js';

/** One sitting of row 4: a fresh server child, small replies, then the large message among them. */
interface LargeRun {
  peak: number | null;
  /** p99 of the small replies before the large message, and the latencies of those during it. */
  before: number;
  during: number[];
  largeMs: number;
}

export async function benchLarge(ctx: BenchContext): Promise<Row[]> {
  const db = path.join(ctx.dir, 'large.db');
  const seeded = await seedDatabase(db, { cases: 200, hotEvery: 1, commentsPerCase: 10 });
  const [bigTarget, ...targets] = seeded.hot;
  if (!bigTarget) throw new Error('seeding made no case');
  const sessions = ctx.smoke ? 4 : 20;
  const attachmentBytes = ctx.smoke ? 2 * MIB : 22 * MIB;
  const big = largeData(bigTarget, attachmentBytes);

  // Peak memory varies from run to run (the issue saw 209–215 MiB four times and 384 MiB once):
  // the row reports every run, and the budget holds only when it holds in all of them.
  const runs: LargeRun[] = [];
  for (let i = 0; i < ctx.runs; i++) {
    if (ctx.runs > 1) console.error(`row 4: run ${i + 1} of ${ctx.runs}`);
    runs.push(await largeRun(ctx, db, sessions, targets, bigTarget, big, i === 0 ? ctx.profile('large') : {}));
  }
  const peaks = runs.map((r) => r.peak).filter((p): p is number => p !== null);
  const peak = peaks.length === runs.length ? Math.max(...peaks) : null;
  const over = peaks.filter((p) => p > 200 * MIB).length;
  const during = runs.flatMap((r) => r.during);
  const duringP99 = percentile(during, 99);
  const before = Math.max(...runs.map((r) => r.before));
  ctx.notes.push(
    `row 4: the ${(big.length / MIB).toFixed(1)} MiB message took ${runs.map((r) => ms(r.largeMs)).join(', ')} from MAIL to 250; ` +
      `${during.length} small replies were answered while it was in flight`,
  );
  if (runs.length > 1) {
    const sorted = [...peaks].sort((a, b) => a - b);
    ctx.notes.push(
      `row 4a: peak RSS of ${runs.length} runs (a fresh server child each), in run order: ${peaks.map((p) => mib(p)).join(', ')}; ` +
        `median ${mib(percentile(sorted, 50))}, max ${mib(peak)}; ${over} of ${runs.length} over 200 MiB`,
    );
  }
  return [
    {
      id: '4a',
      name: `peak RSS, ${(big.length / MIB).toFixed(0)} MiB message + ${sessions} sessions, max of ${runs.length} run${runs.length > 1 ? 's' : ''}`,
      casegate: runs.length > 1 ? `${mib(peak)} (median ${mib(percentile(peaks, 50))}, ${runs.length - over} of ${runs.length} within)` : mib(peak),
      baseline: '200 MiB (budget)',
      ratio: peak === null ? NaN : ratio(peak, 200 * MIB),
      target: { max: 1, label: '<= 200 MiB in every run' },
    },
    {
      id: '4b',
      name: 'p99 of small replies during the large one',
      casegate: ms(duringP99),
      baseline: `${ms(before)} (same server, no large message; worst run)`,
      ratio: ratio(duringP99, before),
      target: { max: 2 },
    },
  ];
}

async function largeRun(
  ctx: BenchContext,
  db: string,
  sessions: number,
  targets: ReplyTarget[],
  bigTarget: ReplyTarget,
  big: Buffer,
  profile: { cpuProfDir?: string },
): Promise<LargeRun> {
  const server = await startServerChild('casegate', { db, ...profile });
  try {
    await measureIngest(server.port, targets, { sessions, perSession: ctx.smoke ? 1 : 5, maxMs: 5_000 });
    const quiet = await measureIngest(server.port, targets, { sessions, perSession: ctx.smoke ? 3 : 500, maxMs: 8_000 });
    ctx.notes.push(...refusalNote('row 4, without the large message', quiet));

    const session = await SmtpSession.open(server.port);
    let largeStart = 0;
    let largeEnd = 0;
    let largeCode = 0;
    const large = (async () => {
      await new Promise((r) => setTimeout(r, ctx.smoke ? 100 : 1000));
      largeStart = performance.now();
      const r = await session.send({ mailFrom: bigTarget.contact, rcpt: bigTarget.address }, big);
      largeEnd = performance.now();
      largeCode = r.code;
      await session.quit();
      await new Promise((resolve) => setTimeout(resolve, 200));
    })();
    const busy = await measureIngest(server.port, targets, { sessions, perSession: 0, maxMs: 120_000 }, large);
    await large;
    if (largeCode !== 250) throw new Error(`the large message was answered ${largeCode}, not 250`);
    ctx.notes.push(...refusalNote('row 4, during the large message', busy));
    return {
      peak: server.peakRss(),
      before: quiet.p99,
      during: busy.load.latencies.filter((r) => r.at >= largeStart && r.at - r.latencyMs <= largeEnd).map((r) => r.latencyMs),
      largeMs: largeEnd - largeStart,
    };
  } finally {
    await server.stop();
  }
}
