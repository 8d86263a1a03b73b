// Row 2: Postfix's load generator `smtp-source -d -s 20 -m N -l 4096` against casegate and, in the
// same run, against a throwaway Postfix accepting into its (hold) queue.
//
// smtp-source sends one fixed recipient and sender; its own messages carry `From: <sender>` but all
// have the same body, so after 15 of them casegate refuses the rest as a mail loop (SPEC §4). With
// `-F file` every message is the same file, so casegate answers all but the first as a duplicate
// (250, SPEC §4 "Duplicates"). Both give casegate a cheaper path than row 1; we use `-F` (a 4 KiB
// reply from the case contact) because every message is then answered 250, and say so in a note.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { startServerChild } from './child.js';
import { replyData, KIB } from './mail.js';
import { seedDatabase } from './seed.js';
import { hasCommand, postfixUnavailable, startPostfix } from './postfix.js';
import { rate, ratio } from './stats.js';
import type { BenchContext, Row } from './table.js';

interface SourceRun {
  msgsPerSec: number;
  elapsedMs: number;
}

async function smtpSource(args: string[], port: number, messages: number): Promise<SourceRun> {
  const started = performance.now();
  const stderr: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('smtp-source', [...args, `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const elapsedMs = performance.now() - started;
  if (code !== 0) throw new Error(`smtp-source exited with ${code}: ${stderr.join('').trim()}`);
  return { msgsPerSec: (messages / elapsedMs) * 1000, elapsedMs };
}

export async function benchSmtpSource(ctx: BenchContext): Promise<Row[]> {
  const name = `smtp-source -d -s 20 -m N -F (4 KiB reply)`;
  const row = (casegate: string, baseline: string, r: number, verdict?: string): Row => ({
    id: '2b',
    name,
    casegate,
    baseline,
    ratio: r,
    target: null,
    ...(verdict ? { verdict } : {}),
  });
  if (!hasCommand('smtp-source')) return [row('not installed', 'not installed', NaN, 'not installed')];

  const db = path.join(ctx.dir, 'smtp-source.db');
  const seeded = await seedDatabase(db, { cases: 10, hotEvery: 1, commentsPerCase: 0 });
  const t = seeded.hot[0];
  if (!t) throw new Error('seeding made no case');
  // smtp-source adds CRLF to each line of the file and dot-stuffs it itself.
  const file = path.join(ctx.dir, 'reply.eml');
  fs.writeFileSync(file, replyData(t, 0, 4 * KIB).toString('latin1').replace(/\r\n/g, '\n').replace(/^\.\./gm, '.'));
  const messages = ctx.smoke ? 20 : 1000;
  const sessions = ctx.smoke ? 4 : 20;
  const args = ['-d', '-s', String(sessions), '-m', String(messages), '-F', file, '-f', t.contact, '-t', t.address];

  const server = await startServerChild('casegate', { db, ...ctx.profile('smtp-source') });
  let cg: SourceRun;
  try {
    cg = await smtpSource(args, server.port, messages);
  } finally {
    await server.stop();
  }
  const decisions = countDecisions(db);
  ctx.notes.push(
    `row 2b: smtp-source sends the same file every time, so casegate stores the first and answers the rest 250 as duplicates ` +
      `(inbound log: ${Object.entries(decisions).map(([d, n]) => `${n} ${d}`).join(', ')}); this row measures parse + ` +
      `duplicate check + inbound log, row 1 the full reply path. The baseline is Postfix queueing each message (hold queue).`,
  );

  const unavailable = postfixUnavailable();
  if (unavailable) return [row(rate(cg.msgsPerSec), unavailable, NaN)];
  const postfix = await startPostfix();
  let pf: SourceRun;
  let held: number;
  try {
    pf = await smtpSource(args, postfix.port, messages);
    held = postfix.held();
  } finally {
    postfix.stop();
  }
  if (held < messages) ctx.notes.push(`row 2b: postfix held ${held} of ${messages} messages in its queue`);
  return [row(rate(cg.msgsPerSec), `${rate(pf.msgsPerSec)} (postfix ${postfix.version} into its queue)`, ratio(cg.msgsPerSec, pf.msgsPerSec))];
}

function countDecisions(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT decision, count(*) AS n FROM inbound GROUP BY decision').all() as { decision: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.decision, r.n]));
  } finally {
    db.close();
  }
}
