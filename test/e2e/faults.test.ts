// SPEC §4 Temporary vs permanent, §9: the class of each answer follows its cause (a full disk in the
// blob store or in SQLite, a busy database, a timeout → 4xx / exit 75; a parser limit → 5xx / 65),
// and nothing of a refused or failed message stays on disk. Real sockets, real SQLite files, and a
// real small file system (tmpfs, mounted by the test as root) for the full disk.
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { writeBlob } from '../../src/db/blobs.js';
import { folderWriter } from '../../src/db/blobsInFolder.js';
import { parseMessage, MalformedMessageError, ParserLimitError } from '../../src/ingest/parse.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { runCli } from '../helpers/cli.js';
import { ANN, EVE } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { rawSession } from '../helpers/smtpRaw.js';
import { tempDir } from '../helpers/tempDir.js';
import { blobsInDatabase, newDatabase, onPostgres, query } from '../helpers/testDb.js';

const MIB = 1024 * 1024;
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('faults.test.ts: not root, so the full-disk tests (a tmpfs mounted by the test) are skipped; CI runs them as root');

let gw: Gateway | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await gw?.close();
  gw = undefined;
  for (const c of cleanups.splice(0).reverse()) c();
});

/** Every file the blob store has on local disk (temp and spool files included). */
function blobFiles(g: Gateway): string[] {
  const dir = g.db.blobs.localDir;
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

/** An attachment of `bytes` bytes whose content is fixed by `seed`. */
const attachment = (bytes: number, seed: string) => ({
  filename: 'fixed.bin',
  contentType: 'application/octet-stream',
  content: Buffer.from(crypto.createHash('sha256').update(seed).digest('hex').repeat(Math.ceil(bytes / 64)).slice(0, bytes)),
});

function randomAttachment(bytes: number) {
  return { filename: 'big.bin', contentType: 'application/octet-stream', content: crypto.randomBytes(bytes) };
}

async function send(g: Gateway, raw: string | Buffer, from = ANN) {
  const s = await rawSession(g.port);
  try {
    return await s.send(raw, { from, to: [g.caseAddress] });
  } finally {
    s.end();
  }
}

/** Pipe mode on the gateway's database: `casegate ingest`, its exit code. */
async function pipe(g: Gateway, raw: string | Buffer, env: Record<string, string> = {}): Promise<number> {
  const r = await runCli(['ingest', '--rcpt', g.caseAddress, '--mail-from', ANN], {
    db: g.config.db,
    input: raw,
    env: { CASEGATE_OUTBOX_DIR: g.config.outboxDir, ...env },
  });
  return r.code;
}

describe('nothing of a refused message stays on disk', () => {
  it('three 1 MiB attachments from a stranger (550) leave no file in the blob store', async () => {
    gw = await startGateway({ CASEGATE_MIN_FREE_BYTES: '0' });
    for (let i = 0; i < 3; i++) {
      const r = await send(gw, mail({ from: EVE, attachment: randomAttachment(MIB) }), EVE);
      expect(r.code).toBe(550);
    }
    expect(blobFiles(gw)).toEqual([]);
  });

  it('a message over the size limit (552) leaves none of the attachments written before the limit', async () => {
    gw = await startGateway({ CASEGATE_MAX_MESSAGE_BYTES: String(2 * MIB), CASEGATE_MIN_FREE_BYTES: '0' });
    const b = '----=_cut';
    const part = (n: number) =>
      [`--${b}`, `Content-Type: application/octet-stream; name="p${n}.bin"`, 'Content-Transfer-Encoding: base64', '', crypto.randomBytes(400_000).toString('base64').replace(/.{76}/g, '$&\r\n')].join('\r\n');
    const raw = [`From: ${ANN}`, `To: ${gw.caseAddress}`, 'Subject: big', `Content-Type: multipart/mixed; boundary="${b}"`, '', ...[1, 2, 3, 4, 5, 6].map(part), `--${b}--`, ''].join('\r\n');
    expect((await send(gw, raw)).code).toBe(552);
    expect(blobFiles(gw)).toEqual([]);
  });

  it('a taken message keeps its attachment, and a duplicate of it removes nothing', async () => {
    gw = await startGateway({ CASEGATE_MIN_FREE_BYTES: '0' });
    const raw = mail({ from: ANN, messageId: '<dup-1@acme.example>', attachment: attachment(64 * 1024, 'kept') });
    expect((await send(gw, raw)).code).toBe(250);
    expect((await send(gw, raw)).code).toBe(250);
    if (blobsInDatabase) {
      // In the database, once: one chunk of 64 KiB; no spool file stays.
      expect(blobFiles(gw)).toEqual([]);
      expect(await query(gw.db, 'SELECT seq, octet_length(data) AS bytes FROM blob_contents')).toEqual([{ seq: 0, bytes: 64 * 1024 }]);
    } else {
      expect(blobFiles(gw)).toHaveLength(1);
    }
  });
});

// The folder store's files; the database store's collection is tested in test/db/blobsInDb.test.ts.
describe.skipIf(blobsInDatabase)('orphans left by a crash', () => {
  it('are removed at start and by `casegate gc`, which prints what it freed; blobs with a row stay', async () => {
    gw = await startGateway({ CASEGATE_MIN_FREE_BYTES: '0' });
    const g = gw;
    expect((await send(g, mail({ from: ANN, attachment: attachment(4096, 'owned') }))).code).toBe(250);
    expect(blobFiles(g)).toHaveLength(1);
    // What a SIGKILL leaves: a blob renamed into place whose row never committed, and a temp file
    // of a process that is gone (pid 2^22 + 1 is above Linux's pid_max default range).
    const orphan = await writeBlob(g.db.blobs.where, Readable.from([crypto.randomBytes(10_000)]));
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(orphan.path, old, old);
    fs.writeFileSync(path.join(g.db.blobs.where, 'tmp', '4194305-deadbeef'), crypto.randomBytes(5000));
    const young = await writeBlob(g.db.blobs.where, Readable.from([crypto.randomBytes(3000)]));
    const r = await runCli(['gc', '--min-age', '600'], { db: g.config.db });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('removed 1 orphan attachment file and 1 temp file, freed 15000 bytes');
    expect(fs.existsSync(orphan.path)).toBe(false);
    expect(fs.existsSync(young.path)).toBe(true);
    expect(blobFiles(g)).toHaveLength(2);
  });

  it('serve removes them at start', async () => {
    const { dir, cleanup } = tempDir('gc-start');
    cleanups.push(cleanup);
    const db = await newDatabase(dir);
    expect((await runCli(['init'], { db })).code).toBe(0);
    const orphan = await writeBlob(path.join(dir, 'blobs'), Readable.from([crypto.randomBytes(7000)]));
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(orphan.path, old, old);
    const { startServe } = await import('../helpers/cli.js');
    const served = await startServe(db, ['--no-dispatch']);
    try {
      expect(fs.existsSync(orphan.path)).toBe(false);
      expect(served.stderr()).toMatch(/removed 1 orphan attachment file and 0 temp files, freed 7000 bytes/);
    } finally {
      await served.stop();
    }
  });
});

describe('the class of an answer follows its cause', () => {
  it('a parser limit (a 2 MB and a 5 MB header line, 1,001 parts) is 5xx over SMTP and 65 in pipe mode, every time', async () => {
    gw = await startGateway({ CASEGATE_MIN_FREE_BYTES: '0' });
    const longLine = (n: number) => `From: ${ANN}\r\nTo: ${gw!.caseAddress}\r\nSubject: ${'x'.repeat(n)}\r\n\r\nbody\r\n`;
    const b = 'p';
    const manyParts = [`From: ${ANN}`, 'Subject: parts', `Content-Type: multipart/mixed; boundary="${b}"`, '', ...Array.from({ length: 1001 }, () => `--${b}\r\nContent-Type: text/plain\r\n\r\nx`), `--${b}--`, ''].join('\r\n');
    for (const raw of [longLine(2_000_000), longLine(5_000_000), manyParts, longLine(2_000_000)]) {
      const r = await send(gw, raw);
      expect(r.code).toBe(552);
      expect(r.text).toMatch(/^5\.3\.4 message refused: message goes past a limit of the parser/);
    }
    expect(await pipe(gw, longLine(2_000_000))).toBe(65);
    expect(await pipe(gw, manyParts)).toBe(65);
  });

  it('a malformed message is 5xx / 65; the parser is told so by the class of its error', async () => {
    gw = await startGateway({ CASEGATE_MIN_FREE_BYTES: '0' });
    expect((await send(gw, 'no header here at all\r\n')).code).toBe(550);
    expect(await pipe(gw, 'no header here at all\r\n')).toBe(65);
    const err = await parseMessage(Readable.from([Buffer.from(`Subject: ${'a'.repeat(1.2 * MIB)}\r\n\r\nx`)]), { store: gw.db.blobs }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParserLimitError);
    expect(err).not.toBeInstanceOf(MalformedMessageError);
  });

  it('a timeout of the source (ETIMEDOUT) is a system fault: not malformed, so 451 / 75', async () => {
    const { dir, cleanup } = tempDir('timeout');
    cleanups.push(cleanup);
    const source = new Readable({ read() {} });
    source.push(`From: ${ANN}\r\nSubject: x\r\n\r\npart of a body`);
    setTimeout(() => source.destroy(Object.assign(new Error('read timed out'), { code: 'ETIMEDOUT', syscall: 'read' })), 20);
    const err = await parseMessage(source, { store: folderWriter(dir) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(MalformedMessageError);
    expect(err).not.toBeInstanceOf(ParserLimitError);
    expect((err as { code?: string }).code).toBe('ETIMEDOUT');
  });

  // SQLite only: its one write lock, held by another process (PostgreSQL takes row locks).
  it.skipIf(onPostgres)('SQLITE_BUSY (another process holds the write lock past busy_timeout) is 451 over SMTP and 75 in pipe mode', async () => {
    gw = await startGateway({ CASEGATE_MIN_FREE_BYTES: '0' }, { busyTimeoutMs: 300 });
    const holder = new Database(gw.config.db);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const r = await send(gw, mail({ from: ANN, body: 'while the database is locked' }));
      expect(r.code).toBe(451);
      // Pipe mode waits its busy_timeout (10 s) before it gives up.
      expect(await pipe(gw, mail({ from: ANN, body: 'pipe while locked' }))).toBe(75);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect((await send(gw, mail({ from: ANN, body: 'after the lock' }))).code).toBe(250);
  }, 40_000);
});

// With contents in the database a pipe process spools in the system's temp folder, not on the small disk.
describe.skipIf(!isRoot || blobsInDatabase)('a full disk (a tmpfs of a few MiB, as root)', () => {
  /** A gateway whose database and blobs live on a fresh 8 MiB tmpfs; `fill(left)` leaves `left` bytes free. */
  async function onSmallDisk(env: Record<string, string> = {}): Promise<{ g: Gateway; fill(left: number): void }> {
    const { dir, cleanup } = tempDir('fulldisk');
    const mnt = path.join(dir, 'mnt');
    fs.mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]);
    cleanups.push(() => {
      execFileSync('umount', ['-l', mnt]);
      cleanup();
    });
    const g = await startGateway({ CASEGATE_MIN_FREE_BYTES: '0', ...env }, { dataDir: mnt });
    gw = g;
    return {
      g,
      fill(left) {
        const free = fs.statfsSync(mnt).bavail * fs.statfsSync(mnt).bsize;
        fs.writeFileSync(path.join(mnt, `ballast-${Date.now()}`), Buffer.alloc(Math.max(0, free - left)));
      },
    };
  }

  it('ENOSPC while an attachment is written is 451 over SMTP and 75 in pipe mode, and leaves no file', async () => {
    const { g, fill } = await onSmallDisk();
    fill(1 * MIB);
    for (let i = 0; i < 3; i++) {
      const r = await send(g, mail({ from: ANN, attachment: randomAttachment(2 * MIB) }));
      expect(r.code).toBe(451);
    }
    expect(await pipe(g, mail({ from: ANN, attachment: randomAttachment(2 * MIB) }), { CASEGATE_MIN_FREE_BYTES: '0' })).toBe(75);
    expect(blobFiles(g)).toEqual([]);
  });

  // SQLite only: the database file on the small disk (a PostgreSQL server's disk is not the gateway's).
  it.skipIf(onPostgres)('SQLITE_FULL (the database cannot grow) is 451 over SMTP and 75 in pipe mode', async () => {
    const { g, fill } = await onSmallDisk();
    fill(64 * 1024);
    const body = 'A long comment. '.repeat(40_000);
    expect((await send(g, mail({ from: ANN, body }))).code).toBe(451);
    expect(await pipe(g, mail({ from: ANN, body }), { CASEGATE_MIN_FREE_BYTES: '0' })).toBe(75);
  });

  it('below CASEGATE_MIN_FREE_BYTES new mail gets 452 4.3.1 (never 550), and 75 in pipe mode', async () => {
    const { g, fill } = await onSmallDisk({ CASEGATE_MIN_FREE_BYTES: String(2 * MIB) });
    expect((await send(g, mail({ from: ANN }))).code).toBe(250);
    fill(1 * MIB);
    const s = await rawSession(g.port);
    try {
      await s.command('EHLO x.example');
      const r = await s.command(`MAIL FROM:<${ANN}>`);
      expect(r.code).toBe(452);
      expect(r.text).toMatch(/^4\.3\.1 insufficient system storage/);
    } finally {
      s.end();
    }
    expect(await pipe(g, mail({ from: ANN }), { CASEGATE_MIN_FREE_BYTES: String(2 * MIB) })).toBe(75);
  });
});
