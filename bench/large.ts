// Row 4: one 30 MiB message with a 22 MiB attachment while 20 sessions send 4 KiB replies. Peak
// resident memory (VmHWM) of the casegate server process, and the p99 latency of the small replies
// answered while the large one was in flight, against their p99 on the same server just before.
import path from 'node:path';
import { startServerChild } from './child.js';
import { largeData, MIB } from './mail.js';
import { measureIngest, refusalNote } from './ingest.js';
import { seedDatabase } from './seed.js';
import { SmtpSession } from './smtpClient.js';
import { mib, ms, percentile, ratio } from './stats.js';
import type { BenchContext, Row } from './table.js';

export async function benchLarge(ctx: BenchContext): Promise<Row[]> {
  const db = path.join(ctx.dir, 'large.db');
  const seeded = await seedDatabase(db, { cases: 200, hotEvery: 1, commentsPerCase: 10 });
  const [bigTarget, ...targets] = seeded.hot;
  if (!bigTarget) throw new Error('seeding made no case');
  const sessions = ctx.smoke ? 4 : 20;
  const attachmentBytes = ctx.smoke ? 2 * MIB : 22 * MIB;
  const big = largeData(bigTarget, attachmentBytes);

  const server = await startServerChild('casegate', { db, ...ctx.profile('large') });
  let peak: number | null;
  let before: number;
  let during: number[];
  let largeMs: number;
  try {
    await measureIngest(server.port, targets, { sessions, perSession: ctx.smoke ? 1 : 5, maxMs: 5_000 });
    const quiet = await measureIngest(server.port, targets, { sessions, perSession: ctx.smoke ? 3 : 500, maxMs: 8_000 });
    ctx.notes.push(...refusalNote('row 4, without the large message', quiet));
    before = quiet.p99;

    // The large message goes over its own connection while the small replies keep coming.
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
      // keep the small load going a little longer, so its tail is not cut off
      await new Promise((resolve) => setTimeout(resolve, 200));
    })();
    const busy = await measureIngest(server.port, targets, { sessions, perSession: 0, maxMs: 120_000 }, large);
    await large;
    if (largeCode !== 250) throw new Error(`the large message was answered ${largeCode}, not 250`);
    ctx.notes.push(...refusalNote('row 4, during the large message', busy));
    largeMs = largeEnd - largeStart;
    // replies whose end of data overlapped the large message's transaction
    during = busy.load.latencies.filter((r) => r.at >= largeStart && r.at - r.latencyMs <= largeEnd).map((r) => r.latencyMs);
    peak = server.peakRss();
  } finally {
    await server.stop();
  }
  const duringP99 = percentile(during, 99);
  ctx.notes.push(
    `row 4: the ${(big.length / MIB).toFixed(1)} MiB message took ${ms(largeMs)} from MAIL to 250; ` +
      `${during.length} small replies were answered while it was in flight`,
  );
  return [
    {
      id: '4a',
      name: `peak RSS, ${(big.length / MIB).toFixed(0)} MiB message + ${sessions} sessions`,
      casegate: mib(peak),
      baseline: '200 MiB (budget)',
      ratio: peak === null ? NaN : ratio(peak, 200 * MIB),
      target: { max: 1, label: '<= 200 MiB' },
    },
    {
      id: '4b',
      name: 'p99 of small replies during the large one',
      casegate: ms(duringP99),
      baseline: `${ms(before)} (same server, no large message)`,
      ratio: ratio(duringP99, before),
      target: { max: 2 },
    },
  ];
}
