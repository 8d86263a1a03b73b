// Row 2: the full path against the Postfix in front of casegate. 20 sessions × 150 distinct 4 KiB
// replies from case contacts (each a comment plus 21 outbox rows, sender authentication as the run
// has it), sent by bench/smtpClient.ts to a casegate server child, and the same number of messages
// to a throwaway Postfix that queues each one (hold queue: written and fsynced, never delivered).
// Unlike row 2b (smtp-source's one file, all duplicates after the first), both sides do their whole
// job here: the issue's target is casegate ≥ 1.0 × Postfix.
//
// Both sides are warmed with 2,000 messages first (100 per session), as a gateway that has run for a
// while is: V8 keeps compiling casegate's hot code with its optimizing compiler and SQLite's page
// cache fills for some 2,000 messages (after 600, the next 1,000 took 1.21 ms of main-thread CPU
// each, the 1,000 after them 0.95, then 0.89-1.00). Postfix's queue is emptied after its warm-up,
// so that it too starts from the queue it would have: its hold queue is one flat folder that only
// grows here.
//
// Then the two in turns, 3 rounds of 1,000 messages each (50 per session), casegate then Postfix:
// this machine's speed drifts by up to 2x within minutes, and one run of each, one after the other,
// measured the drift as much as the two programs (the same build gave 0.82 and 1.00 in two runs).
// The ratio is the median of the rounds' ratios; each side's figures are its three rounds together.
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServerChild } from './child.js';
import { combine, describeIngest, measureIngest, refusalNote, type IngestFigures, type IngestLoad } from './ingest.js';
import { postfixUnavailable, startPostfix } from './postfix.js';
import { seedDatabase } from './seed.js';
import { percentile, ratio } from './stats.js';
import type { BenchContext, Row } from './table.js';

const ROUNDS = 3;

export async function benchFullPath(ctx: BenchContext): Promise<Row[]> {
  const db = path.join(ctx.dir, 'full-path.db');
  const seeded = await seedDatabase(db, { cases: 1000, hotEvery: 1, commentsPerCase: 10 });
  const sessions = ctx.smoke ? 4 : 20;
  const perSession = ctx.smoke ? 3 : 150;
  const round: IngestLoad = { sessions, perSession: Math.ceil(perSession / ROUNDS), maxMs: 30_000 };
  const warm: IngestLoad = { sessions, perSession: ctx.smoke ? 1 : 100, maxMs: 30_000 };
  const name = `full path, ${sessions} sessions × ${round.perSession * ROUNDS} distinct 4 KiB replies, in ${ROUNDS} turns`;

  const unavailable = postfixUnavailable();
  const server = await startServerChild('casegate', { db, ...ctx.profile('full-path') });
  const postfix = unavailable ? null : await startPostfix().catch(async (err: unknown) => {
    await server.stop();
    throw err;
  });
  const cg: IngestFigures[] = [];
  const pf: IngestFigures[] = [];
  let held = 0;
  try {
    await measureIngest(server.port, seeded.hot, warm);
    if (postfix) {
      await measureIngest(postfix.port, seeded.hot, warm);
      execFileSync('postsuper', ['-c', postfix.conf, '-d', 'ALL', 'hold'], { stdio: 'ignore' });
    }
    for (let i = 0; i < ROUNDS; i++) {
      cg.push(await measureIngest(server.port, seeded.hot, round));
      if (postfix) pf.push(await measureIngest(postfix.port, seeded.hot, round));
    }
    held = postfix?.held() ?? 0;
  } finally {
    await server.stop();
    postfix?.stop();
  }
  const casegate = combine(cg);
  ctx.notes.push(...refusalNote('row 2', casegate));
  const row = (baseline: string, r: number): Row => ({ id: '2', name, casegate: describeIngest(casegate), baseline, ratio: r, target: { min: 1 } });
  if (postfix === null) return [row(unavailable as string, NaN)];

  const queued = combine(pf);
  if (held < queued.sent) ctx.notes.push(`row 2: postfix held ${held} of ${queued.sent} messages in its queue`);
  const ratios = cg.map((c, i) => ratio(c.msgsPerSec, (pf[i] as IngestFigures).msgsPerSec));
  ctx.notes.push(
    `row 2 in turns (casegate / postfix msg/s): ${cg.map((c, i) => `${c.msgsPerSec.toFixed(0)} / ${(pf[i] as IngestFigures).msgsPerSec.toFixed(0)} = ${(ratios[i] as number).toFixed(2)}`).join('; ')}`,
  );
  return [row(`${describeIngest(queued)} (postfix ${postfix.version} into its queue)`, percentile(ratios, 50))];
}
