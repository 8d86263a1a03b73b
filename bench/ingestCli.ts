// Row 11: pipe mode's cost per delivery. `casegate ingest` (the real binary, as a Postfix pipe
// transport runs it: one process per message) of one 4 KiB reply to a case with 20 collaborators,
// each run a new reply from a file; wall time from spawn to exit, median of the runs. The baseline is
// `node -e 0`, the floor of any Node.js process on this machine, measured in the same sitting.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { senderAuthEnv } from './child.js';
import { BENCH_DOMAIN, replyData } from './mail.js';
import { seedDatabase } from './seed.js';
import { ms, percentile, ratio } from './stats.js';
import type { BenchContext, Row } from './table.js';

const casegate = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/casegate.js');
/** The budget for one delivery through `casegate ingest` (19: `node -e 0` took 50 ms then). */
const BUDGET_MS = 120;

/** Runs a process to its end; its wall time in milliseconds. Throws on an exit code other than 0. */
function timed(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const elapsed = performance.now() - started;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`${args.slice(0, 4).join(' ')} … exited with ${code}: ${stderr.trim()}`));
    });
  });
}

export async function benchIngestCli(ctx: BenchContext): Promise<Row[]> {
  const db = path.join(ctx.dir, 'ingest-cli.db');
  const seeded = await seedDatabase(db, { cases: 100, hotEvery: 1, commentsPerCase: 10 });
  const runs = ctx.smoke ? 1 : 15;
  const env = { PATH: process.env.PATH ?? '', CASEGATE_DOMAIN: BENCH_DOMAIN, ...senderAuthEnv() };
  const files = Array.from({ length: runs + 1 }, (_, i) => {
    const t = seeded.hot[i % seeded.hot.length];
    if (!t) throw new Error('seeding made no case');
    const file = path.join(ctx.dir, `ingest-cli-${i}.eml`);
    // As a file, not as SMTP's DATA: LF line ends, no dot-stuffing (as row 2's file).
    fs.writeFileSync(file, replyData(t, 900_000 + i).toString('latin1').replace(/\r\n/g, '\n').replace(/^\.\./gm, '.'), 'latin1');
    return { file, t };
  });
  const ingest = ({ file, t }: { file: string; t: { contact: string; address: string } }) =>
    timed([casegate, '--db', db, 'ingest', `--mail-from=${t.contact}`, '--client-ip=127.0.0.1', `--rcpt=${t.address}`, file], env);
  // One of each first, not counted: the files are then in the page cache for both.
  await ingest(files[runs] as (typeof files)[number]);
  await timed(['-e', '0'], env);
  const cg: number[] = [];
  const node: number[] = [];
  // Taking turns, so that a busy moment of the machine falls on both.
  for (let i = 0; i < runs; i++) {
    cg.push(await ingest(files[i] as (typeof files)[number]));
    node.push(await timed(['-e', '0'], env));
  }
  const median = percentile(cg, 50);
  const nodeMedian = percentile(node, 50);
  ctx.notes.push(
    `row 11: casegate ingest ${cg.map((m) => ms(m)).join(', ')}; node -e 0 ${node.map((m) => ms(m)).join(', ')}; ` +
      `median ${ms(median)} = ${(median / nodeMedian).toFixed(1)} × node -e 0`,
  );
  return [
    {
      id: '11',
      name: `casegate ingest of one 4 KiB reply, median of ${runs}`,
      casegate: ms(median),
      baseline: `${ms(BUDGET_MS)} budget (node -e 0: ${ms(nodeMedian)})`,
      ratio: ratio(median, BUDGET_MS),
      target: { max: 1, label: `<= ${BUDGET_MS} ms` },
    },
  ];
}
