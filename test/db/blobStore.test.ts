// Attachment contents with nothing shared but the database: a message taken by one node is sent
// out, with its attachments byte for byte, by a dispatcher on another node that has its own (or no)
// blob folder; nothing of a refused message stays; orphans are collected per store. On SQLite the
// two handles share the file and its blob folder; on PostgreSQL (by default) the contents are in
// the database and each handle has only its own spool folder.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDb, type Db } from '../../src/db/client.js';
import { createDispatcher } from '../../src/outbound/dispatcher.js';
import { createSmtpTransport } from '../../src/outbound/transport.js';
import { startCaptureServer, type CaptureServer } from '../helpers/capture.js';
import { runCli } from '../helpers/cli.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, BOB, EVE } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { rawSession } from '../helpers/smtpRaw.js';
import { tempDir } from '../helpers/tempDir.js';
import { blobsInDatabase, execSql, query } from '../helpers/testDb.js';

const MIB = 1024 * 1024;

let gw: Gateway;
let nodeB: Db | undefined;
let relay: CaptureServer | undefined;
const cleanups: Array<() => void> = [];

beforeEach(async () => {
  gw = await startGateway({ CASEGATE_MIN_FREE_BYTES: '0' });
});
afterEach(async () => {
  await relay?.close();
  relay = undefined;
  await nodeB?.close();
  nodeB = undefined;
  await gw.close();
  for (const c of cleanups.splice(0).reverse()) c();
});

async function send(raw: string, from: string) {
  const s = await rawSession(gw.port);
  try {
    return await s.send(raw, { from, to: [gw.caseAddress] });
  } finally {
    s.end();
  }
}

/** A second node's handle on the same database: on PostgreSQL its spool in a folder of its own, and no blob folder. */
async function openNodeB(): Promise<Db> {
  const { dir, cleanup } = tempDir('node-b');
  cleanups.push(cleanup);
  nodeB = blobsInDatabase ? await openDb(gw.config.db, { spoolDir: path.join(dir, 'spool') }) : await openDb(gw.config.db);
  return nodeB;
}

const count = async (table: string): Promise<number> => Number((await query<{ n: number }>(gw.db, `SELECT count(*) AS n FROM ${table}`))[0]?.n);
const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()) : [];

describe('an attachment taken by one node is sent by a dispatcher on another', () => {
  it('byte for byte, though the second node has no blob folder of the first', async () => {
    // 2.5 MiB: three chunks in the database.
    const content = crypto.randomBytes(2.5 * MIB);
    const attachment = { filename: 'scan.bin', contentType: 'application/octet-stream', content };
    expect((await send(mail({ from: ANN, attachment }), ANN)).code).toBe(250);
    if (blobsInDatabase) {
      expect(await query(gw.db, 'SELECT seq, octet_length(data) AS bytes FROM blob_contents ORDER BY seq')).toEqual([
        { seq: 0, bytes: MIB },
        { seq: 1, bytes: MIB },
        { seq: 2, bytes: MIB / 2 },
      ]);
      expect(filesUnder(gw.db.blobs.localDir)).toEqual([]);
    }

    const b = await openNodeB();
    expect(b.blobs.kind).toBe(blobsInDatabase ? 'database' : 'folder');
    relay = await startCaptureServer();
    const config = loadConfig({ db: gw.config.db }, { CASEGATE_DOMAIN: gw.config.domain, CASEGATE_SMTP_URL: relay.url, CASEGATE_FROM: gw.config.from });
    const dispatcher = createDispatcher({ db: b, config, transport: createSmtpTransport(relay.url) });
    try {
      // The seeded case's own notifications go too; the comment's is the one with an attachment.
      expect(await dispatcher.runOnce()).toMatchObject({ failed: 0, retried: 0 });
    } finally {
      await dispatcher.stop();
    }
    const withFiles = relay.accepted().filter((m) => m.raw.includes('scan.bin'));
    expect(withFiles.map((m) => m.rcptTo)).toEqual([[BOB]]);
    const parsed = await simpleParser(withFiles[0]?.raw as Buffer);
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]?.filename).toBe('scan.bin');
    expect(Buffer.compare(parsed.attachments[0]?.content as Buffer, content)).toBe(0);
  });
});

describe('nothing of a refused message stays', () => {
  it('a stranger with a 1.5 MiB attachment (550) leaves no blob row, chunk or spool file', async () => {
    const attachment = { filename: 'x.bin', contentType: 'application/octet-stream', content: crypto.randomBytes(1.5 * MIB) };
    expect((await send(mail({ from: EVE, attachment }), EVE)).code).toBe(550);
    expect(await count('blobs')).toBe(0);
    if (blobsInDatabase) expect(await count('blob_contents')).toBe(0);
    expect(filesUnder(gw.db.blobs.localDir)).toEqual([]);
  });
});

describe.skipIf(!blobsInDatabase)('orphans in the database store', () => {
  it('gc removes contents no attachment names and spool files of dead processes; named contents stay', async () => {
    const kept = { filename: 'kept.bin', contentType: 'application/octet-stream', content: crypto.randomBytes(300_000) };
    expect((await send(mail({ from: ANN, attachment: kept }), ANN)).code).toBe(250);
    // What a delete path may leave: a content whose attachments are gone.
    const sha = 'ab'.repeat(32);
    await execSql(gw.db, 'INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)', [sha, 7000, Date.now() - 3600_000]);
    await execSql(gw.db, 'INSERT INTO blob_contents (sha256, seq, data) VALUES (?, 0, ?)', [sha, crypto.randomBytes(7000)]);
    // What a SIGKILL leaves in the spool: a file of a process that is gone (pid above Linux's default range).
    fs.mkdirSync(gw.db.blobs.localDir, { recursive: true });
    fs.writeFileSync(path.join(gw.db.blobs.localDir, '4194305-deadbeef'), crypto.randomBytes(5000));

    expect(await gw.db.blobs.collectGarbage(600_000)).toEqual({ orphans: 1, temps: 1, bytes: 12_000 });
    expect(await query(gw.db, 'SELECT sha256 FROM blobs')).toEqual([{ sha256: crypto.createHash('sha256').update(kept.content).digest('hex') }]);
    expect(await count('blob_contents')).toBe(1);
    expect(filesUnder(gw.db.blobs.localDir)).toEqual([]);

    // `casegate gc` does the same on the database store, and says what it freed.
    await execSql(gw.db, 'INSERT INTO blobs (sha256, size, created_at) VALUES (?, ?, ?)', [sha, 4000, Date.now() - 3600_000]);
    await execSql(gw.db, 'INSERT INTO blob_contents (sha256, seq, data) VALUES (?, 0, ?)', [sha, crypto.randomBytes(4000)]);
    const r = await runCli(['gc', '--min-age', '0'], { db: gw.config.db });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^removed 1 orphan attachment file and \d+ temp files?, freed \d+ bytes$/m);
    expect(await count('blob_contents')).toBe(1);
  });
});
