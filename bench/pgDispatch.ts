// Rows 8a/8b: dispatch on PostgreSQL. N pending comment notifications (as row 3) sent to a discarding
// sink child by ONE dispatcher process, then (on a database of its own, seeded the same) by TWO
// dispatcher processes claiming from the same outbox. 8a's baseline is nodemailer's pool sending the
// same composed messages (as row 3); 8b's is 8a: how much a second dispatcher adds. Throughput is the
// N rows over the time from the first process's start to the last one's end.
import path from 'node:path';
import readline from 'node:readline';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { openDb, type Db } from '../src/db/client.js';
import { insertComment } from '../src/db/comments.js';
import { countOutboxByStatus, insertOutbox } from '../src/db/outbox.js';
import { newToken, outboundMessageId } from '../src/domain/mailNames.js';
import { startServerChild } from './child.js';
import { composeRows, sendDirect } from './dispatch.js';
import { BENCH_DOMAIN, KIB, replyData } from './mail.js';
import { benchPostgres, postgresUnavailable, skippedRows, withBenchDatabase } from './postgres.js';
import { seedPostgres } from './seedPostgres.js';
import { rate, ratio } from './stats.js';
import type { BenchContext, Row } from './table.js';

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dispatchChild.js');

interface PassLine {
  sent: number;
  retried: number;
  failed: number;
  held: number;
  startedAt: number;
  endedAt: number;
}

/** A dispatcher process (bench/dispatchChild.ts): `pass()` runs one pass and returns its counts. */
interface DispatcherChild {
  pass(): Promise<PassLine>;
  stop(): Promise<void>;
}

async function startDispatcherChild(db: string, smtp: string, blobDir: string): Promise<DispatcherChild> {
  const child = spawn(process.execPath, [childScript, '--db', db, '--smtp', smtp, '--blob-dir', blobDir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waiting: { resolve: (line: string) => void; reject: (err: Error) => void }[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(line));
  void exited.then((code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`bench dispatcher child exited with code ${code}`));
  });
  const next = (): Promise<string> => new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  const ready = next();
  await ready;
  return {
    async pass() {
      const line = next();
      child.stdin.write('go\n');
      return JSON.parse(await line) as PassLine;
    },
    async stop() {
      child.stdin.end();
      const code = await exited;
      if (code !== 0) throw new Error(`bench dispatcher child exited with code ${code}`);
    },
  };
}

/** `count` pending notifications of one comment, through the product's own table functions. */
function addRows(db: Db, caseId: number, commentId: number, count: number): Promise<number[]> {
  const now = Date.now() - 1000;
  return db.transaction(async (tx) => {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const recipient = `reader${i}@customer.bench`;
      const token = newToken();
      ids.push(
        await insertOutbox(
          tx,
          { caseId, commentId, kind: 'comment', recipient, recipientLower: recipient, token, messageId: outboundMessageId(token, BENCH_DOMAIN), status: 'pending', lastError: null, replyAddressId: null },
          now,
        ),
      );
    }
    return ids;
  });
}

interface Sitting {
  db: Db;
  commentId: number;
  blobDir: string;
}

async function prepare(url: string, ctx: BenchContext, name: string): Promise<Sitting & { url: string }> {
  const seeded = await seedPostgres(url, { cases: 1, hotEvery: 1, commentsPerCase: 0 });
  const t = seeded.hot[0];
  if (!t) throw new Error('seeding made no case');
  const blobDir = path.join(ctx.dir, `${name}-blobs`);
  const db = await openDb(url, { blobDir });
  const text = replyData(t, 0, 4 * KIB).toString('utf8').split('\r\n\r\n').slice(1).join('\n\n');
  const commentId = await db.transaction((tx) =>
    insertComment(tx, { caseId: 1, authorEmail: t.contact, authorName: 'Customer Contact', body: text, fullBody: text, source: 'email', internal: false, inboundId: null }, Date.now()),
  );
  return { url, db, commentId, blobDir };
}

interface Dispatched {
  perSec: number;
  /** Messages the dispatchers sent, and rows marked sent: more sends than rows is a message sent twice. */
  sends: number;
  sent: number;
  /** msgs/s of `direct` on the same rows, when given. */
  baseline: number;
}

/**
 * `processes` dispatchers send a warm-up batch, then `n` rows; `direct`, when given, first sends the
 * same rows composed beforehand (the baseline, as row 3).
 */
async function dispatchWith(
  processes: number,
  s: Sitting & { url: string },
  smtp: string,
  counts: { n: number; warm: number },
  direct?: (ids: number[]) => Promise<number>,
): Promise<Dispatched> {
  const children = await Promise.all(Array.from({ length: processes }, () => startDispatcherChild(s.url, smtp, s.blobDir)));
  try {
    const warmIds = await addRows(s.db, 1, s.commentId, counts.warm);
    await direct?.(warmIds);
    await Promise.all(children.map((c) => c.pass()));
    const before = await s.db.transaction((tx) => countOutboxByStatus(tx, 'sent'), 'read');
    const ids = await addRows(s.db, 1, s.commentId, counts.n);
    const baseline = direct ? await direct(ids) : NaN;
    const passes = await Promise.all(children.map((c) => c.pass()));
    const sent = (await s.db.transaction((tx) => countOutboxByStatus(tx, 'sent'), 'read')) - before;
    if (sent !== counts.n) throw new Error(`${processes} dispatcher(s) marked ${sent} of ${counts.n} rows sent (${JSON.stringify(passes)})`);
    const span = Math.max(...passes.map((p) => p.endedAt)) - Math.min(...passes.map((p) => p.startedAt));
    return { perSec: (counts.n / span) * 1000, sends: passes.reduce((a, p) => a + p.sent, 0), sent, baseline };
  } finally {
    await Promise.all(children.map((c) => c.stop().catch(() => undefined)));
  }
}

const ROWS = [
  { id: '8a', name: 'PostgreSQL: dispatch N notifications, 1 dispatcher' },
  { id: '8b', name: 'PostgreSQL: dispatch N notifications, 2 dispatchers' },
];

export async function benchPgDispatch(ctx: BenchContext): Promise<Row[]> {
  const n = ctx.smoke ? 30 : 1000;
  const warm = ctx.smoke ? 10 : 100;
  const names = ROWS.map((r) => ({ ...r, name: r.name.replace('N', String(n)) }));
  const why = postgresUnavailable();
  if (why !== null) {
    ctx.notes.push(`rows 8a/8b skipped: ${why}`);
    return skippedRows(names);
  }
  const cluster = await benchPostgres();
  const sink = await startServerChild('sink');
  const smtp = `smtp://127.0.0.1:${sink.port}`;
  try {
    const run = (processes: number, withBaseline: boolean): Promise<Dispatched> => withBenchDatabase(cluster, async (url) => {
      const sitting = await prepare(url, ctx, `dispatch-pg-${processes}`);
      const config = loadConfig({ db: sitting.url }, { CASEGATE_DOMAIN: BENCH_DOMAIN, CASEGATE_SMTP_URL: smtp });
      const direct = async (ids: number[]) => sendDirect(smtp, await composeRows(sitting.db, config, ids));
      try {
        return await dispatchWith(processes, sitting, smtp, { n, warm }, withBaseline ? direct : undefined);
      } finally {
        await sitting.db.close();
      }
    });
    const single = await run(1, true);
    const double = await run(2, false);
    const baseline = single.baseline;
    for (const [id, r] of [['8a', single], ['8b', double]] as const) {
      if (r.sends !== r.sent) ctx.notes.push(`row ${id}: ${r.sends} sends for ${r.sent} rows: ${r.sends - r.sent} messages went out twice`);
    }
    return [
      { ...(names[0] as Row), casegate: rate(single.perSec), baseline: `${rate(baseline)} (nodemailer pool, composed)`, ratio: ratio(single.perSec, baseline), target: null },
      { ...(names[1] as Row), casegate: rate(double.perSec), baseline: `${rate(single.perSec)} (row 8a, 1 dispatcher)`, ratio: ratio(double.perSec, single.perSec), target: null },
    ];
  } finally {
    await sink.stop();
  }
}
