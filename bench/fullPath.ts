// Row 2: the full path against the Postfix in front of casegate. 20 sessions × 150 distinct 4 KiB
// replies from case contacts (each a comment plus 21 outbox rows, sender authentication as the run
// has it), sent by bench/smtpClient.ts to a casegate server child, and the same number of messages
// to a throwaway Postfix that queues each one (hold queue: written and fsynced, never delivered).
// Unlike row 2b (smtp-source's one file, all duplicates after the first), both sides do their whole
// job here: the target is casegate ≥ 1.0 × Postfix.
//
// Both sides are warmed with 600 messages first (30 per session), as a gateway that has run for a
// while is: casegate's hot code is then compiled by V8's optimizing compiler (with 5 per session it
// measured 10 % slower over the 3,000). Postfix's queue is emptied after its warm-up, so that it too
// starts from the queue it would have: its hold queue is one flat folder that only grows here.
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServerChild } from './child.js';
import { describeIngest, measureIngest, refusalNote, type IngestLoad } from './ingest.js';
import { postfixUnavailable, startPostfix } from './postfix.js';
import { seedDatabase } from './seed.js';
import { ratio } from './stats.js';
import type { BenchContext, Row } from './table.js';

export async function benchFullPath(ctx: BenchContext): Promise<Row[]> {
  const db = path.join(ctx.dir, 'full-path.db');
  const seeded = await seedDatabase(db, { cases: 1000, hotEvery: 1, commentsPerCase: 10 });
  const load: IngestLoad = { sessions: ctx.smoke ? 4 : 20, perSession: ctx.smoke ? 3 : 150, maxMs: 60_000 };
  const warm: IngestLoad = { sessions: load.sessions, perSession: ctx.smoke ? 1 : 30, maxMs: 20_000 };
  const name = `full path, ${load.sessions} sessions × ${load.perSession} distinct 4 KiB replies`;

  const server = await startServerChild('casegate', { db, ...ctx.profile('full-path') });
  let cg;
  try {
    await measureIngest(server.port, seeded.hot, warm);
    cg = await measureIngest(server.port, seeded.hot, load);
  } finally {
    await server.stop();
  }
  ctx.notes.push(...refusalNote('row 2', cg));

  const unavailable = postfixUnavailable();
  const row = (baseline: string, r: number): Row => ({ id: '2', name, casegate: describeIngest(cg), baseline, ratio: r, target: { min: 1 } });
  if (unavailable) return [row(unavailable, NaN)];
  const postfix = await startPostfix();
  let pf;
  let held: number;
  try {
    await measureIngest(postfix.port, seeded.hot, warm);
    execFileSync('postsuper', ['-c', postfix.conf, '-d', 'ALL', 'hold'], { stdio: 'ignore' });
    pf = await measureIngest(postfix.port, seeded.hot, load);
    held = postfix.held();
  } finally {
    postfix.stop();
  }
  const expected = pf.sent;
  if (held < expected) ctx.notes.push(`row 2: postfix held ${held} of ${expected} messages in its queue`);
  return [row(`${describeIngest(pf)} (postfix ${postfix.version} into its queue)`, ratio(cg.msgsPerSec, pf.msgsPerSec))];
}
