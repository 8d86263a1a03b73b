// SPEC §10: every rule holds across nodes. Two handles on one database stand for two nodes (on
// PostgreSQL two pools), each with its own SMTP server, and race: collaborators added at once, the same message delivered through both, new cases, reply
// addresses, the loop and rate limits, and two dispatchers on one outbox; a dispatcher that dies
// leaves its rows to the other; a NOTIFY wakes a dispatcher whose poll is a minute away. On SQLite
// both servers share one handle: its writers are one at a time by the file's lock, and a second
// handle in one process would wait for the first synchronously, blocking the process that holds it
// (processes sharing a file are test/e2e/sharedDb.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway as App } from '../../src/app.js';
import { addRoutingAddress } from '../../src/admin/routing.js';
import type { Db } from '../../src/db/client.js';
import { enqueueNotification } from '../../src/cases/notify.js';
import { createDispatcher, type Dispatcher } from '../../src/outbound/dispatcher.js';
import { claimDue } from '../../src/outbound/queue.js';
import { createSmtpTransport } from '../../src/outbound/transport.js';
import { startCaptureServer, type CaptureServer } from '../helpers/capture.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, addCollaborator, countRows, createCase } from '../helpers/seed.js';
import { mail, sendRaw } from '../helpers/smtp.js';
import { inTx, onPostgres, openTestDb, query } from '../helpers/testDb.js';

let a: Gateway;
let b: { db: Db; app: App; port: number };
let relay: CaptureServer;

beforeAll(async () => {
  a = await startGateway();
  // The second node: a handle of its own on the same database, and an SMTP server of its own.
  const db = onPostgres ? await openTestDb(a.config.db, a.dir) : a.db;
  const app = await createGateway(a.config, { db, dispatch: false });
  const where = await app.start();
  b = { db, app, port: where?.port ?? 0 };
  relay = await startCaptureServer();
});

afterAll(async () => {
  await b?.app.stop();
  if (onPostgres) await b?.db.close();
  await a?.close();
  await relay?.close();
});

const nodes = (): Db[] => [a.db, b.db];
const ports = (): number[] => [a.port, b.port];

function dispatcherOn(db: Db, options: { intervalMs?: number; leaseMs?: number } = {}): Dispatcher {
  return createDispatcher({
    db,
    config: { ...a.config, dispatchIntervalMs: options.intervalMs ?? a.config.dispatchIntervalMs },
    transport: createSmtpTransport(relay.url),
    leaseMs: options.leaseMs,
    log: () => undefined,
  });
}

/** Writes `count` pending notifications to new addresses on a new case, in one transaction; their Message-IDs. */
async function pendingRows(count: number, label: string): Promise<string[]> {
  const c = await createCase(a.db, a.config, { subject: `Outbox ${label}` });
  const id = (await query<{ id: number }>(a.db, 'SELECT id FROM cases WHERE number = ?', [c.number]))[0]?.id as number;
  const recipients = Array.from({ length: count }, (_, i) => `${label}-${i}@customer.test`);
  const ids = await a.db.transaction((tx) => enqueueNotification(tx, { caseId: id, commentId: null, kind: 'case-created', recipients }, a.config.domain, Date.now() - 1));
  return (await query<{ messageId: string }>(a.db, `SELECT message_id AS "messageId" FROM outbox WHERE id IN (${ids.join(',')}) ORDER BY id`)).map((r) => r.messageId);
}

const receivedTimes = (ids: readonly string[]): number[] => ids.map((id) => relay.received.filter((r) => r.messageId === id && r.code === 250).length);

describe('two nodes on one database', () => {
  it('40 collaborators added at once through both nodes: exactly 20 are taken, the rest refused with the limit', async () => {
    const c = await createCase(a.db, a.config, { subject: 'Crowded case', contact: ANN });
    const adds = Array.from({ length: 40 }, (_, i) => addCollaborator(nodes()[i % 2] as Db, a.config, c.number, `watcher${i}@customer.test`));
    const results = await Promise.allSettled(adds);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
    expect(refused).toHaveLength(20);
    for (const r of refused) expect(String(r.reason?.message)).toMatch(/already has 20 collaborators, the most allowed; remove one first/);
    const caseId = (await query<{ id: number }>(a.db, 'SELECT id FROM cases WHERE number = ?', [c.number]))[0]?.id;
    expect(await countRows(a.db, 'collaborators', 'case_id = ?', caseId)).toBe(20);
    expect(await countRows(a.db, 'outbox', "case_id = ? AND kind = 'history'", caseId)).toBe(20);
  });

  it('the same reply delivered through both nodes at once is one comment, and both answers are 250', async () => {
    const before = await countRows(a.db, 'comments');
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => mail({ from: ANN, messageId: `<twice-${i}@mail.acme.example>`, body: `Reply number ${i}, sent twice.` })).flatMap((raw) =>
        ports().map((port) => sendRaw(port, raw, { from: ANN, to: [a.caseAddress] })),
      ),
    );
    expect(answers.map((r) => r.code)).toEqual(Array(20).fill(250));
    expect(await countRows(a.db, 'comments')).toBe(before + 10);
    expect(await countRows(a.db, 'inbound', "decision = 'duplicate'")).toBeGreaterThanOrEqual(10);
  });

  it('the same new mail delivered through both nodes at once opens one case', async () => {
    const before = await countRows(a.db, 'cases');
    const raws = Array.from({ length: 5 }, (_, i) => mail({ from: ANN, subject: `Scanner ${i} is offline`, messageId: `<new-twice-${i}@mail.acme.example>` }));
    const answers = await Promise.all(raws.flatMap((raw) => ports().map((port) => sendRaw(port, raw, { from: ANN, to: ['support@acme-support.example'] }))));
    expect(answers.map((r) => r.code)).toEqual(Array(10).fill(250));
    expect(await countRows(a.db, 'cases')).toBe(before + 5);
  });

  it('30 cases opened at once through both nodes have 30 different numbers', async () => {
    const opened = await Promise.all(Array.from({ length: 30 }, (_, i) => createCase(nodes()[i % 2] as Db, a.config, { subject: `Race ${i}` })));
    expect(new Set(opened.map((c) => c.number)).size).toBe(30);
  });

  it('a reply address is issued once when both nodes notify the same new participant at once', async () => {
    const c = await createCase(a.db, a.config, { subject: 'Two notes at once' });
    const caseId = (await query<{ id: number }>(a.db, 'SELECT id FROM cases WHERE number = ?', [c.number]))[0]?.id as number;
    const note = (db: Db) =>
      db.transaction((tx) => enqueueNotification(tx, { caseId, commentId: null, kind: 'case-created', recipients: ['Newcomer@customer.test'] }, a.config.domain, Date.now()));
    await Promise.all(Array.from({ length: 20 }, (_, i) => note(nodes()[i % 2] as Db)));
    const issued = await query<{ id: number }>(a.db, 'SELECT id FROM reply_addresses WHERE case_id = ? AND address_lower = ?', [caseId, 'newcomer@customer.test']);
    expect(issued).toHaveLength(1);
    const offered = await query<{ r: number }>(a.db, 'SELECT DISTINCT reply_address_id AS r FROM outbox WHERE case_id = ?', [caseId]);
    expect(offered).toEqual([{ r: issued[0]?.id }]);
  });

  it("a routing address's rate limit holds when one sender's new mail arrives through both nodes at once", async () => {
    await a.db.transaction((tx) => addRoutingAddress(tx, a.config, { address: 'limited@acme-support.example', rateLimit: 3 }));
    const sender = 'flood@customer.test';
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        sendRaw(ports()[i % 2] as number, mail({ from: sender, to: 'limited@acme-support.example', subject: `Request ${i}`, body: `Different request ${i}.` }), {
          from: sender,
          to: ['limited@acme-support.example'],
        }),
      ),
    );
    expect(answers.filter((r) => r.code === 250)).toHaveLength(3);
    expect(await countRows(a.db, 'cases', 'supplied_email = ?', sender)).toBe(3);
  });

  it('two dispatchers on 200 rows: every row is sent exactly once, none is lost', async () => {
    const one = dispatcherOn(a.db);
    const two = dispatcherOn(b.db);
    try {
      await one.runOnce(); // what the tests before left due
      const ids = await pendingRows(200, 'pair');
      const [x, y] = await Promise.all([one.runOnce(), two.runOnce()]);
      expect(x.sent + y.sent).toBe(200);
      if (onPostgres) expect(Math.min(x.sent, y.sent)).toBeGreaterThan(0);
      expect(receivedTimes(ids)).toEqual(Array(200).fill(1));
      expect(await countRows(a.db, 'outbox', `status <> 'sent' AND message_id IN (${ids.map(() => '?').join(',')})`, ...ids)).toBe(0);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });

  it("a dispatcher that died holding rows: the other sends them, with the same Message-IDs, once the lease ends", async () => {
    const ids = await pendingRows(5, 'orphan');
    // The dead one claimed them under a short lease and never came back.
    const claimed = (await inTx(a.db, claimDue, 'dead-node:1:0', Date.now(), 1000, 400)).claimed;
    expect(claimed.map((r) => r.messageId)).toEqual(expect.arrayContaining(ids));
    const survivor = dispatcherOn(b.db);
    try {
      expect((await survivor.runOnce()).sent).toBe(0);
      await new Promise((r) => setTimeout(r, 450));
      expect((await survivor.runOnce()).sent).toBe(claimed.length);
    } finally {
      await survivor.stop();
    }
    expect(receivedTimes(ids)).toEqual(Array(5).fill(1));
  });

  it.skipIf(!onPostgres)('a row written on one node wakes the dispatcher of the other by NOTIFY, not by its poll a minute away', async () => {
    const waiting = dispatcherOn(a.db, { intervalMs: 60_000 });
    try {
      await waiting.start();
      // Its first pass (at start) finds nothing of this test; then it sleeps for a minute.
      await expect.poll(() => waiting.wakes().start).toBe(1);
      const [id] = await pendingRowsOn(b.db, 'woken');
      await expect.poll(() => receivedTimes([id as string])[0], { timeout: 5_000, interval: 20 }).toBe(1);
      expect(waiting.wakes()).toMatchObject({ poll: 0, nudge: 0 });
      expect(waiting.wakes().notify).toBeGreaterThanOrEqual(1);
    } finally {
      await waiting.stop();
    }
  });
});

/** One pending row written through `db` (the other node). */
async function pendingRowsOn(db: Db, label: string): Promise<string[]> {
  const c = await createCase(db, a.config, { subject: `Outbox ${label}` });
  return db.transaction(async (tx) => {
    const row = await tx.get<{ id: number }>('SELECT id FROM cases WHERE number = ?', [c.number]);
    const [id] = await enqueueNotification(tx, { caseId: row?.id as number, commentId: null, kind: 'case-created', recipients: [`${label}@customer.test`] }, a.config.domain, Date.now() - 1);
    return [(await tx.get<{ m: string }>('SELECT message_id AS m FROM outbox WHERE id = ?', [id]))?.m as string];
  });
}
