// Retention: the inbound log and final notifications older than an age go, with the .eml files of
// the notifications; comments, their attachments and notifications that may still be sent stay.
// `serve`'s daily pass logs what it removed. Both engines.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/client.js';
import { blobPath } from '../../src/db/blobs.js';
import { insertInbound } from '../../src/db/inbound.js';
import { emlFileName } from '../../src/outbound/transport.js';
import { createPruner, pruneOnce } from '../../src/outbound/prune.js';
import { loadConfig } from '../../src/config.js';
import type { Log } from '../../src/log.js';
import { blobsInDatabase } from '../helpers/testDb.js';
import { countRows, seedCase, seedComment, seedOutbox, tempStore, type SeededCase, type TempStore } from '../helpers/seed.js';

const DAY = 86_400_000;
const now = Date.now();
let store: TempStore;
let seeded: SeededCase;
let outboxDir: string;
const config = () => ({ smtpUrl: null, outboxDir, sessionSeconds: 0 });

beforeAll(async () => {
  store = await tempStore();
  seeded = await seedCase(store.db);
  outboxDir = path.join(store.dir, 'outbox');
  fs.mkdirSync(outboxDir);
});
afterAll(() => store.cleanup());

const write = <T>(work: (tx: Tx) => Promise<T>): Promise<T> => store.db.transaction(work);

async function inboundAt(createdAt: number, subject: string): Promise<number> {
  return write((tx) =>
    insertInbound(
      tx,
      { messageId: `<${subject}@mail.example>`, mailFrom: 'ann@acme.example', fromAddr: 'ann@acme.example', rcpt: 'support@cases.test', subject, decision: 'accepted', reason: '250 2.6.0 ok', smtpCode: 250, caseId: seeded.id, fingerprint: null, loopKey: null, size: 100, headers: null, auth: null },
      createdAt,
    ),
  );
}

/** A notification in `status`, written `age` ms ago and (sent, bounced) sent then, with its .eml file in the folder. */
async function notification(status: string, age: number, extra: { leased?: boolean } = {}): Promise<{ id: number; file: string }> {
  const row = await seedOutbox(store.db, { caseId: seeded.id, recipient: `${status}.${Math.random().toString(36).slice(2)}@acme.example` });
  const at = now - age;
  const sent = status === 'sent' || status === 'bounced' ? at : null;
  await write((tx) =>
    tx.run('UPDATE outbox SET status = ?, created_at = ?, sent_at = ?, lease_owner = ?, lease_until = ? WHERE id = ?', [status, at, sent, extra.leased ? 'node-1' : null, extra.leased ? now + DAY : null, row.id]),
  );
  const file = path.join(outboxDir, emlFileName(row.messageId));
  fs.writeFileSync(file, `Message-ID: ${row.messageId}\r\n\r\nhello\r\n`);
  return { id: row.id, file };
}

describe('prune --inbound-older-than', () => {
  it('removes log rows received before the age, keeps newer ones, and never a comment or its attachment', async () => {
    const old1 = await inboundAt(now - 100 * DAY, 'old-1');
    await inboundAt(now - 91 * DAY, 'old-2');
    const recent = await inboundAt(now - DAY, 'recent');
    const comment = await seedComment(store.db, seeded.id, { createdAt: now - 100 * DAY, files: [{ filename: 'log.txt', contentType: 'text/plain', content: Buffer.from('kept with its comment') }] });
    await write((tx) => tx.run('UPDATE comments SET inbound_id = ? WHERE id = ?', [old1, comment.id]));

    const r = await pruneOnce(store.db, config(), { inbound: 90 * DAY, outbox: null }, now);

    expect(r).toMatchObject({ inbound: 2, outbox: 0, emlFiles: 0, inboundBefore: new Date(now - 90 * DAY).toISOString(), outboxBefore: null });
    expect(await countRows(store.db, 'inbound', 'id = ?', recent)).toBe(1);
    expect(await countRows(store.db, 'inbound')).toBe(1);
    expect(await countRows(store.db, 'comments', 'id = ?', comment.id)).toBe(1);
    expect(await countRows(store.db, 'attachments', 'comment_id = ?', comment.id)).toBe(1);
    expect(await store.db.transaction((tx) => store.db.blobs.missing(tx, comment.sha256), 'read')).toEqual([]);
  });
});

describe('prune --outbox-sent-older-than', () => {
  it('removes final notifications (sent, failed, bounced) older than the age and their .eml files; pending, leased and held rows stay', async () => {
    const gone = [await notification('sent', 40 * DAY), await notification('failed', 40 * DAY), await notification('bounced', 31 * DAY)];
    const kept = [
      await notification('sent', 2 * DAY),
      await notification('pending', 60 * DAY),
      await notification('pending', 60 * DAY, { leased: true }),
      await notification('held', 60 * DAY),
    ];
    const other = path.join(outboxDir, 'not-ours.eml');
    fs.writeFileSync(other, 'x');
    fs.unlinkSync(gone[1]!.file); // picked up by a reader of the folder already: no error

    const r = await pruneOnce(store.db, config(), { inbound: null, outbox: 30 * DAY }, now);

    expect(r).toMatchObject({ inbound: 0, outbox: 3, emlFiles: 2 });
    for (const g of gone) {
      expect(await countRows(store.db, 'outbox', 'id = ?', g.id)).toBe(0);
      expect(fs.existsSync(g.file)).toBe(false);
    }
    for (const k of kept) {
      expect(await countRows(store.db, 'outbox', 'id = ?', k.id)).toBe(1);
      expect(fs.existsSync(k.file)).toBe(true);
    }
    expect(fs.existsSync(other)).toBe(true);
  });

  it('keeps the .eml files when a relay sends the mail (the folder is not the outbox then)', async () => {
    const sent = await notification('sent', 40 * DAY);
    const r = await pruneOnce(store.db, { ...config(), smtpUrl: 'smtp://127.0.0.1:25' }, { inbound: null, outbox: 30 * DAY }, now);
    expect(r).toMatchObject({ outbox: 1, emlFiles: 0 });
    expect(fs.existsSync(sent.file)).toBe(true);
  });
});

describe('prune with 0d', () => {
  it('removes everything final and every unreferenced attachment content, and still no comment, referenced content or pending row', async () => {
    const pending = await notification('pending', 0);
    await notification('sent', 0);
    await inboundAt(now - 1, 'just-now');
    const kept = await seedComment(store.db, seeded.id, { files: [{ filename: 'a.txt', contentType: 'text/plain', content: Buffer.from('still referenced') }] });
    // What a crash leaves: a content file no row names (the folder store; in PostgreSQL a content is written with its row).
    const orphan = blobsInDatabase ? null : crashLeftover(store.db.blobs.localDir, 'no comment names me');
    const comments = await countRows(store.db, 'comments');

    const r = await pruneOnce(store.db, config(), { inbound: 0, outbox: 0 }, now + 1);

    expect(r.inbound).toBeGreaterThanOrEqual(1);
    expect(await countRows(store.db, 'inbound')).toBe(0);
    expect(await countRows(store.db, 'outbox', "status IN ('sent', 'failed', 'bounced')")).toBe(0);
    expect(await countRows(store.db, 'outbox', 'id = ?', pending.id)).toBe(1);
    expect(await countRows(store.db, 'comments')).toBe(comments);
    expect(await store.db.transaction((tx) => store.db.blobs.missing(tx, kept.sha256), 'read')).toEqual([]);
    if (orphan !== null) {
      expect(r.orphans).toBe(1);
      expect(fs.existsSync(orphan.path)).toBe(false);
    }
  });
});

describe("serve's daily prune", () => {
  it('is off unless CASEGATE_PRUNE_INBOUND_DAYS or CASEGATE_PRUNE_OUTBOX_SENT_DAYS is set', () => {
    const base = loadConfig({ db: store.file }, {});
    expect(createPruner(store.db, base, silentLog([]))).toBeNull();
  });

  it('runs a pass by the settings in days and logs what it removed', async () => {
    await inboundAt(now - 10 * DAY, 'ten-days');
    await inboundAt(now - DAY / 2, 'half-a-day');
    const lines: string[] = [];
    const c = loadConfig({ db: store.file }, { CASEGATE_PRUNE_INBOUND_DAYS: '7', CASEGATE_OUTBOX_DIR: outboxDir });
    const pruner = createPruner(store.db, c, silentLog(lines), 0);
    pruner?.start();
    for (let i = 0; i < 200 && lines.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    await pruner?.stop();
    expect(lines).toEqual([expect.stringMatching(/^prune: removed 1 inbound log row from before \S+, \d+ attachment contents? no row names/)]);
    expect(await countRows(store.db, 'inbound')).toBe(1);
  });
});

/** A content file written by a process that crashed before its row committed: named by its hash, no row names it. */
function crashLeftover(blobDir: string, text: string): { path: string } {
  const file = blobPath(blobDir, crypto.createHash('sha256').update(text).digest('hex'));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return { path: file };
}

function silentLog(lines: string[]): Log {
  return { info: (msg) => lines.push(msg), warn: (msg) => lines.push(msg), error: (msg) => lines.push(msg) };
}
