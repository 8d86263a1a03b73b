// Attachment contents in PostgreSQL (no CASEGATE_BLOB_DIR): peak resident memory (VmHWM) of a real
// `casegate serve` process while it takes one 30 MiB message (a 22 MiB attachment, streamed to its
// spool and written into blob_contents in 1 MiB chunks in the message's transaction) and then sends
// the collaborator's notification with that attachment to a relay (a sink here; the chunks streamed
// back out). Beside it the same process's peak after a 4 KiB message, as the baseline of the same run.
// (The .eml folder transport builds each message whole, so the relay is what is measured.)
//
//   node dist/bench/blobsRss.js postgres://USER:PASSWORD@HOST:PORT/EMPTY_DATABASE [BLOB_FOLDER]
// With BLOB_FOLDER the same run through the folder store (CASEGATE_BLOB_DIR), for comparison.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { createAccount } from '../src/admin/accounts.js';
import { createContact } from '../src/admin/contacts.js';
import { addRoutingAddress } from '../src/admin/routing.js';
import { actorFor, addCollaborator } from '../src/cases/collaborators.js';
import { openCaseRequest } from '../src/cases/request.js';
import { loadConfig } from '../src/config.js';
import { openDb } from '../src/db/client.js';
import { caseAddress } from '../src/domain/mailNames.js';
import { casegateBin } from './child.js';
import { largeData, MIB } from './mail.js';
import { SmtpSession } from './smtpClient.js';

const ANN = 'ann@acme.example';
const BOB = 'bob@acme.example';
const SUPPORT = 'support@acme-support.example';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const vmHwm = (pid: number): number => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;

async function waitFor(check: () => boolean, what: string, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A relay that reads and drops every message, keeping the size of each. */
async function startSink(): Promise<{ port: number; sizes: number[]; close(): Promise<void> }> {
  const sizes: number[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 64 * MIB,
    onData(stream, _session, done) {
      let n = 0;
      stream.on('data', (c: Buffer) => (n += c.length));
      stream.on('end', () => {
        sizes.push(n);
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as net.AddressInfo;
  return { port, sizes, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function main(): Promise<void> {
  const url = process.argv[2];
  if (!url?.startsWith('postgres')) throw new Error('give an empty PostgreSQL database: node dist/bench/blobsRss.js postgres://USER:PASSWORD@HOST:PORT/DB');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casegate-bench-blobs-'));
  const outbox = path.join(dir, 'outbox');
  const sink = await startSink();
  const env: NodeJS.ProcessEnv = { ...process.env, CASEGATE_DB: url, CASEGATE_OUTBOX_DIR: outbox, CASEGATE_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, CASEGATE_SENDER_AUTH: 'off', CASEGATE_MIN_FREE_BYTES: '0' };
  const blobDir = process.argv[3];
  if (blobDir === undefined) delete env.CASEGATE_BLOB_DIR;
  else env.CASEGATE_BLOB_DIR = blobDir;
  const store = blobDir === undefined ? 'contents in the database' : 'contents in a blob folder';
  const config = loadConfig({ db: url }, { CASEGATE_OUTBOX_DIR: outbox });
  const db = await openDb(url);
  const target = await db.transaction(async (tx) => {
    const acme = await createAccount(tx, 'Acme');
    for (const [email, firstName] of [[ANN, 'Ann'], [BOB, 'Bob']] as const) await createContact(tx, { account: acme.id, email, firstName, lastName: 'Example' });
    await addRoutingAddress(tx, config, { address: SUPPORT, createContacts: false });
    const row = await openCaseRequest(tx, config, { subject: 'Crash dump', contact: ANN }, Date.now());
    await addCollaborator(tx, config, row, BOB, await actorFor(tx, row, undefined), Date.now());
    return { number: row.number, subject: row.subject, address: caseAddress(row.addressToken, config.domain), contact: ANN };
  });
  await db.close();

  const port = await freePort();
  // The binary itself, with the node flags of its first line, as it runs in production.
  const child = spawn(casegateBin, ['serve', '--host', '127.0.0.1', '--port', String(port)], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  const pid = child.pid as number;
  try {
    await waitFor(() => fs.existsSync(`/proc/${pid}`) && /casegate|node/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')), 'the server');
    await new Promise((r) => setTimeout(r, 2000));
    const eml = (): number => sink.sizes.length;
    await waitFor(() => eml() >= 1, 'the case notifications');
    const small = await SmtpSession.open(port);
    const r1 = await small.send({ mailFrom: ANN, rcpt: target.address }, Buffer.from(`From: ${ANN}\r\nTo: ${target.address}\r\nSubject: small\r\n\r\n${'x'.repeat(4096)}\r\n`));
    await small.quit();
    if (r1.code !== 250) throw new Error(`the small message was answered ${r1.code}`);
    const before = eml();
    await waitFor(() => eml() > before, 'the small notification');
    const baseline = vmHwm(pid);

    const big = largeData(target, 22 * MIB);
    const session = await SmtpSession.open(port);
    const started = performance.now();
    const r2 = await session.send({ mailFrom: ANN, rcpt: target.address }, big);
    const tookMs = performance.now() - started;
    await session.quit();
    if (r2.code !== 250) throw new Error(`the large message was answered ${r2.code}`);
    const afterLarge = eml();
    await waitFor(() => eml() > afterLarge && sink.sizes.some((n) => n > 22 * MIB), 'the notification with the attachment');
    const peak = vmHwm(pid);
    const mibOf = (n: number): string => (n / MIB).toFixed(1);
    console.log('| engine | message | peak RSS of serve (VmHWM) | 30 MiB message answered in |');
    console.log('|---|---|---|---|');
    console.log(`| PostgreSQL, ${store} | 4 KiB (baseline) | ${mibOf(baseline)} MiB | |`);
    console.log(`| PostgreSQL, ${store} | ${mibOf(big.length)} MiB, 22 MiB attachment, in and out | ${mibOf(peak)} MiB | ${(tookMs / 1000).toFixed(2)} s |`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
    await sink.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
