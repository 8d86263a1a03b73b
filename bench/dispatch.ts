// Row 3: dispatch throughput. N pending outbox rows (comment notifications of a 4 KiB reply) sent by
// the dispatcher through the pooled SMTP transport to a local sink that discards, against
// nodemailer's pool sending the same composed messages directly (same pool settings, same number
// of messages in flight). The dispatcher's figure includes claiming, loading, composing and marking
// each row sent; the baseline's only the sending.
import path from 'node:path';
import Database from 'better-sqlite3';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { loadConfig, type Config } from '../src/config.js';
import { openDb, type Db } from '../src/db/client.js';
import { createDispatcher } from '../src/outbound/dispatcher.js';
import { createSmtpTransport } from '../src/outbound/transport.js';
import { composeNotification } from '../src/outbound/compose.js';
import { loadNotification } from '../src/outbound/load.js';
import { outboxById, type OutboxRow } from '../src/db/outbox.js';
import { newToken, outboundMessageId } from '../src/domain/mailNames.js';
import { startServerChild } from './child.js';
import { BENCH_DOMAIN, KIB, replyData } from './mail.js';
import { seedDatabase } from './seed.js';
import { rate, ratio } from './stats.js';
import type { BenchContext, Row } from './table.js';

/** What createSmtpTransport uses; the baseline pool is made the same. */
const POOL = { maxConnections: 5, maxMessages: 100 };
/** The dispatcher's default number of messages in flight. */
const CONCURRENCY = 10;

/** Pending rows written raw (a connection of its own on the SQLite file), as many as asked. */
function addRows(raw: Database.Database, caseId: number, commentId: number, count: number): number[] {
  const insert = raw.prepare(
    `INSERT INTO outbox (case_id, comment_id, kind, recipient, recipient_lower, token, message_id, status, attempts,
       next_attempt_at, created_at) VALUES (?, ?, 'comment', ?, ?, ?, ?, 'pending', 0, ?, ?)`,
  );
  const now = Date.now() - 1000;
  return raw.transaction(() =>
    Array.from({ length: count }, (_, i) => {
      const recipient = `reader${i}@customer.bench`;
      const token = newToken();
      return Number(insert.run(caseId, commentId, recipient, recipient, token, outboundMessageId(token, BENCH_DOMAIN), now, now).lastInsertRowid);
    }),
  )();
}

export function composeRows(db: Db, config: Config, ids: number[]): Promise<SendMailOptions[]> {
  return db.transaction(async (tx) => {
    const messages: SendMailOptions[] = [];
    for (const id of ids) messages.push(composeNotification(await loadNotification(tx, config, db.blobs, (await outboxById(tx, id)) as OutboxRow)));
    return messages;
  }, 'read');
}

export async function sendDirect(url: string, messages: SendMailOptions[]): Promise<number> {
  const transporter = nodemailer.createTransport({ pool: true, url, ...POOL });
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let m = messages[next++]; m; m = messages[next++]) await transporter.sendMail(m);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = performance.now() - started;
  transporter.close();
  return (messages.length / elapsed) * 1000;
}

async function dispatchAll(db: Db, config: Config, url: string, expected: number): Promise<number> {
  const transport = createSmtpTransport(url);
  const dispatcher = createDispatcher({ db, config, transport, concurrency: CONCURRENCY, log: () => undefined });
  const started = performance.now();
  const result = await dispatcher.runOnce();
  const elapsed = performance.now() - started;
  transport.close();
  if (result.sent !== expected) throw new Error(`dispatcher sent ${result.sent} of ${expected} rows (${JSON.stringify(result)})`);
  return (expected / elapsed) * 1000;
}

export async function benchDispatch(ctx: BenchContext): Promise<Row[]> {
  const file = path.join(ctx.dir, 'dispatch.db');
  const seeded = await seedDatabase(file, { cases: 1, hotEvery: 1, commentsPerCase: 0 });
  const sink = await startServerChild('sink');
  const url = `smtp://127.0.0.1:${sink.port}`;
  const config = loadConfig({ db: file }, { CASEGATE_DOMAIN: BENCH_DOMAIN, CASEGATE_SMTP_URL: url });
  const db = await openDb(file);
  const raw = new Database(file);
  raw.pragma('busy_timeout = 10000');
  try {
    const t = seeded.hot[0];
    if (!t) throw new Error('seeding made no case');
    const text = replyData(t, 0, 4 * KIB).toString('utf8').split('\r\n\r\n').slice(1).join('\n\n');
    const commentId = Number(
      raw
        .prepare(
          `INSERT INTO comments (case_id, author_email, author_name, body, full_body, source, internal, created_at)
           VALUES (1, ?, 'Customer Contact', ?, ?, 'email', 0, ?)`,
        )
        .run(t.contact, text, text, Date.now()).lastInsertRowid,
    );
    const n = ctx.smoke ? 30 : 1000;
    const warm = ctx.smoke ? 10 : 100;

    const warmIds = addRows(raw, 1, commentId, warm);
    await sendDirect(url, await composeRows(db, config, warmIds));
    await dispatchAll(db, config, url, warm);

    const ids = addRows(raw, 1, commentId, n);
    const baseline = await sendDirect(url, await composeRows(db, config, ids));
    const casegate = await dispatchAll(db, config, url, n);
    return [
      {
        id: '3',
        name: `dispatch ${n} notifications to a local sink`,
        casegate: rate(casegate),
        baseline: `${rate(baseline)} (nodemailer pool, composed)`,
        ratio: ratio(casegate, baseline),
        target: { min: 0.8 },
      },
    ];
  } finally {
    raw.close();
    await db.close();
    await sink.stop();
  }
}
