// The scenarios of issue 11, rerun at the issue's scale against the real `casegate serve` (and
// `casegate dispatch`) binaries on throwaway databases, printing the figures for its closing note:
//   npm run build && node dist/bench/rerun.js [--only slow,idle,large,stranger,guess,shared] [--keep]
// Loopback only (127.0.0.1, and 127.0.0.2 for the legitimate client); every scenario is bounded in
// count and time, and the script stops by itself (about 1–2 minutes).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { loadConfig } from '../src/config.js';
import Database from 'better-sqlite3';
import { openDb } from '../src/db/client.js';
import { createContact } from '../src/admin/contacts.js';
import { actorFor, addCollaborator } from '../src/cases/collaborators.js';
import { openCaseRequest } from '../src/cases/request.js';
import { caseAddress } from '../src/domain/mailNames.js';
import { casegateBin } from './child.js';
import { MIB } from './mail.js';
import { wireData } from './smtpClient.js';

const BIN = casegateBin;
const ANN = 'ann@acme.example';
const BOB = 'bob@acme.example';
const EVE = 'eve@evil.example';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

interface Setup {
  dir: string;
  db: string;
  /** The case of Ann (collaborator Bob). */
  address: string;
  env: Record<string, string>;
}

/** A database with contacts Ann and Bob and a case of Ann's, seeded through the services. */
async function setup(root: string, name: string): Promise<Setup> {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  const db = path.join(dir, 'casegate.db');
  const env = { CASEGATE_OUTBOX_DIR: path.join(dir, 'outbox'), CASEGATE_DISPATCH_INTERVAL_MS: '50' };
  const config = loadConfig({ db }, env);
  const handle = await openDb(db);
  try {
    const row = await handle.transaction(async (tx) => {
      await createContact(tx, { email: ANN, firstName: 'Ann', lastName: 'Archer' });
      const opened = await openCaseRequest(tx, config, { subject: 'Printer on floor 3 is jammed', contact: ANN });
      await addCollaborator(tx, config, opened, BOB, await actorFor(tx, opened, undefined), Date.now());
      return opened;
    });
    return { dir, db, address: caseAddress(row.addressToken, config.domain), env };
  } finally {
    await handle.close();
  }
}

interface Serve {
  port: number;
  stop(): Promise<void>;
}

const children: ChildProcess[] = [];

/** `casegate serve` on 127.0.0.1, port 0; resolves on its "listening on" line (15 s at most). */
function serve(s: Setup, args: string[] = [], extraEnv: Record<string, string> = {}): Promise<Serve> {
  const child = spawn(BIN, ['--db', s.db, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    env: { PATH: process.env.PATH, ...s.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.stderr.resume();
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not listen within 15 s: ${out}`)), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on [^\s:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          port: Number(m[1]),
          async stop() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(kill);
          },
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}) before listening: ${out}`)));
  });
}

interface Reply {
  code: number;
  text: string;
}

/** A raw SMTP connection; every wait is bounded; a closed connection answers code 0. */
class Conn {
  private buf = '';
  private closedFlag = false;
  private wake: (() => void) | null = null;
  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.buf += d.toString('latin1');
      this.wake?.();
    });
    socket.on('close', () => {
      this.closedFlag = true;
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number, localAddress = '127.0.0.1'): Promise<{ conn: Conn; greeting: Reply }> {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress });
    const conn = new Conn(socket);
    return { conn, greeting: await conn.reply() };
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  async reply(timeoutMs = 60_000): Promise<Reply> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = /^(\d{3})(?: [^\r\n]*)?\r\n/m.exec(this.buf);
      if (m) {
        const upTo = (m.index ?? 0) + m[0].length;
        const text = this.buf.slice(0, upTo).trim();
        this.buf = this.buf.slice(upTo);
        return { code: Number(m[1]), text: text.split('\r\n').pop() ?? '' };
      }
      if (this.closedFlag) return { code: 0, text: 'connection closed' };
      if (Date.now() > end) return { code: -1, text: 'no answer in time' };
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, Math.min(1000, Math.max(1, end - Date.now())));
      });
      this.wake = null;
    }
  }

  write(data: string | Buffer): void {
    if (!this.closedFlag) this.socket.write(data);
  }

  async command(line: string): Promise<Reply> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  /** EHLO, MAIL, RCPT, DATA, the message and its answer (the first refusal on the way, if any). */
  async send(from: string, to: string, message: Buffer): Promise<Reply> {
    for (const line of ['EHLO rerun.localhost', `MAIL FROM:<${from}>`, `RCPT TO:<${to}>`, 'DATA']) {
      const r = await this.command(line);
      if (r.code >= 400 || r.code <= 0) return r;
    }
    const data = wireData(message);
    for (let i = 0; i < data.length && !this.closedFlag; i += MIB) {
      if (!this.socket.write(data.subarray(i, i + MIB))) await new Promise((r) => this.socket.once('drain', r));
    }
    this.write('.\r\n');
    return this.reply(120_000);
  }

  end(): void {
    this.socket.destroy();
  }
}

function reply(from: string, to: string, n: string, extra = ''): Buffer {
  return Buffer.from(
    [`From: <${from}>`, `To: <${to}>`, `Subject: Re: printer ${n}`, `Message-ID: <rerun.${n}.${Date.now()}@acme.example>`, 'MIME-Version: 1.0', extra || 'Content-Type: text/plain; charset=utf-8', '', `Still jammed (${n}).`, ''].join('\r\n'),
  );
}

/** A message with one base64 attachment of `bytes`. */
function withAttachment(from: string, to: string, n: string, bytes: number): Buffer {
  const b64 = Buffer.alloc(bytes, 7).toString('base64').replace(/(.{76})/g, '$1\r\n');
  return Buffer.from(
    [
      `From: <${from}>`, `To: <${to}>`, `Subject: dump ${n}`, `Message-ID: <rerun.att.${n}.${Date.now()}@acme.example>`, 'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'the dump', '--b',
      'Content-Type: application/octet-stream; name="dump.bin"', 'Content-Disposition: attachment; filename="dump.bin"', 'Content-Transfer-Encoding: base64', '',
      b64, '--b--', '',
    ].join('\r\n'),
    'latin1',
  );
}

/** A count read raw from the SQLite file. */
function count(db: string, sql: string): number {
  const h = new Database(db, { readonly: true });
  try {
    return (h.prepare(sql).get() as { n: number }).n;
  } finally {
    h.close();
  }
}

function bytesUnder(dir: string): { files: number; bytes: number } {
  if (!fs.existsSync(dir)) return { files: 0, bytes: 0 };
  let files = 0;
  let bytes = 0;
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    files += 1;
    bytes += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return { files, bytes };
}

const tally = (codes: number[]): string => {
  const m = new Map<number, number>();
  for (const c of codes) m.set(c, (m.get(c) ?? 0) + 1);
  return [...m].sort((a, b) => a[0] - b[0]).map(([c, n]) => `${n} x ${c <= 0 ? 'closed' : c}`).join(', ');
};

/** 200 clients from 127.0.0.1 in DATA sending a byte every 2 s; a client from 127.0.0.2 sends a reply after 10 s. */
async function slowClients(root: string): Promise<string[]> {
  const s = await setup(root, 'slow');
  const srv = await serve(s, ['--no-dispatch']);
  const slow: Conn[] = [];
  const stages: number[] = [];
  const ended: Promise<Reply>[] = [];
  try {
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        const { conn, greeting } = await Conn.open(srv.port);
        slow.push(conn);
        if (greeting.code !== 220) return stages.push(greeting.code);
        for (const line of ['EHLO slow.localhost', `MAIL FROM:<${ANN}>`, `RCPT TO:<${s.address}>`, 'DATA']) {
          const r = await conn.command(line);
          if (r.code >= 400 || r.code <= 0) return stages.push(r.code);
        }
        stages.push(354);
        conn.write(reply(ANN, s.address, 'slow').subarray(0, 200));
        ended.push(conn.reply(40_000));
      }),
    );
    const drip = setInterval(() => slow.forEach((c) => c.write('x')), 2000);
    const started = Date.now();
    await sleep(10_000);
    const before = count(s.db, 'SELECT count(*) AS n FROM comments');
    const { conn, greeting } = await Conn.open(srv.port, '127.0.0.2');
    const legit = greeting.code === 220 ? await conn.send(ANN, s.address, reply(ANN, s.address, 'legit')) : greeting;
    conn.end();
    const stored = count(s.db, 'SELECT count(*) AS n FROM comments') - before;
    const endings = await Promise.all(ended);
    clearInterval(drip);
    return [
      `slow clients: 200 from 127.0.0.1 dripping 1 byte / 2 s: ${tally(stages)} (354 = in DATA; 421 = refused at connect, per-IP limit)`,
      `  legitimate reply from 127.0.0.2 after 10 s: ${legit.code} ${legit.text}; stored: ${stored === 1 ? 'yes' : `no (${stored})`}`,
      `  the clients in DATA were ended: ${tally(endings.map((e) => e.code))} (by ${((Date.now() - started) / 1000).toFixed(0)} s); ${endings[0]?.text ?? ''}`,
    ];
  } finally {
    slow.forEach((c) => c.end());
    await srv.stop();
  }
}

/** 200 idle sockets from 127.0.0.1; then a client from 127.0.0.2 and one more from 127.0.0.1. */
async function idleSockets(root: string): Promise<string[]> {
  const s = await setup(root, 'idle');
  const srv = await serve(s, ['--no-dispatch']);
  const idle: { conn: Conn; greeting: Reply }[] = [];
  try {
    for (let i = 0; i < 200; i++) idle.push(await Conn.open(srv.port));
    const other = await Conn.open(srv.port, '127.0.0.2');
    const legit = other.greeting.code === 220 ? await other.conn.send(ANN, s.address, reply(ANN, s.address, 'idle-legit')) : other.greeting;
    other.conn.end();
    return [
      `idle sockets: 200 from 127.0.0.1 that never speak: greetings ${tally(idle.map((c) => c.greeting.code))}`,
      `  a reply from 127.0.0.2 meanwhile: ${legit.code} ${legit.text}`,
    ];
  } finally {
    idle.forEach((c) => c.conn.end());
    await srv.stop();
  }
}

/** 3 x 100 MiB messages from the contact, at once: answers, and what stays in blobs/. */
async function largeMessages(root: string): Promise<string[]> {
  const s = await setup(root, 'large');
  const srv = await serve(s, ['--no-dispatch']);
  try {
    const big = withAttachment(ANN, s.address, 'big', 75 * MIB);
    const answers = await Promise.all(
      [1, 2, 3].map(async () => {
        const { conn } = await Conn.open(srv.port);
        const r = await conn.send(ANN, s.address, big);
        conn.end();
        return r;
      }),
    );
    await sleep(500);
    const left = bytesUnder(path.join(s.dir, 'blobs'));
    return [
      `3 x ${(wireData(big).length / MIB).toFixed(0)} MiB messages (limit 35 MiB): ${tally(answers.map((a) => a.code))}; ${answers[0]?.text ?? ''}`,
      `  left in blobs/ afterwards: ${left.files} files, ${left.bytes} bytes`,
    ];
  } finally {
    await srv.stop();
  }
}

/** 3 x 1 MiB attachments from a stranger (not a participant): answers, and what stays in blobs/. */
async function strangerAttachments(root: string): Promise<string[]> {
  const s = await setup(root, 'stranger');
  const srv = await serve(s, ['--no-dispatch']);
  try {
    const answers: Reply[] = [];
    for (const n of [1, 2, 3]) {
      const { conn } = await Conn.open(srv.port);
      answers.push(await conn.send(EVE, s.address, withAttachment(EVE, s.address, `eve${n}`, MIB + n)));
      conn.end();
    }
    const left = bytesUnder(path.join(s.dir, 'blobs'));
    return [
      `3 x 1 MiB attachments from a stranger: ${tally(answers.map((a) => a.code))}; ${answers[0]?.text ?? ''}`,
      `  left in blobs/ afterwards: ${left.files} files, ${left.bytes} bytes`,
    ];
  } finally {
    await srv.stop();
  }
}

/** Guessing case addresses over one connection: how many RCPTs before the 421 (at most 100,000). */
async function guessing(root: string): Promise<string[]> {
  const s = await setup(root, 'guess');
  const srv = await serve(s, ['--no-dispatch']);
  try {
    const { conn } = await Conn.open(srv.port);
    await conn.command('EHLO guess.localhost');
    await conn.command(`MAIL FROM:<${EVE}>`);
    const started = Date.now();
    let tried = 0;
    let last: Reply = { code: 0, text: '' };
    while (tried < 100_000) {
      tried += 1;
      last = await conn.command(`RCPT TO:<case+guess${tried}x@cases.localhost>`);
      if (last.code === 421 || last.code <= 0) break;
    }
    const closed = await conn.reply(2000).then((r) => r.code === 0 || conn.closed);
    conn.end();
    return [`unknown-recipient guessing: ${tried} RCPTs on one connection, the last answered ${last.code} ${last.text}; connection closed: ${closed} (${Date.now() - started} ms)`];
  } finally {
    await srv.stop();
  }
}

/** Two serve processes and a dispatch on one database, 300 messages over 12 connections. */
async function sharedDatabase(root: string): Promise<string[]> {
  const s = await setup(root, 'shared');
  const servers = [await serve(s), await serve(s)];
  const dispatch = spawn(BIN, ['--db', s.db, 'dispatch'], { env: { PATH: process.env.PATH, ...s.env }, stdio: 'ignore' });
  children.push(dispatch);
  try {
    const started = Date.now();
    const codes = (
      await Promise.all(
        servers.flatMap((srv, si) =>
          Array.from({ length: 6 }, async (_, ci) => {
            const out: number[] = [];
            let { conn } = await Conn.open(srv.port);
            for (let i = ci + si * 6; i < 300; i += 12) {
              const r = await conn.send(ANN, s.address, reply(ANN, s.address, `shared-${i}`));
              out.push(r.code);
              await conn.command('RSET');
              if (conn.closed) ({ conn } = await Conn.open(srv.port));
            }
            conn.end();
            return out;
          }),
        ),
      )
    ).flat();
    const ms = Date.now() - started;
    // The notifications go out through three dispatchers (a minute at most).
    let left = -1;
    for (let i = 0; i < 600 && left !== 0; i++) {
      left = count(s.db, "SELECT count(*) AS n FROM outbox WHERE status <> 'sent'");
      if (left !== 0) await sleep(100);
    }
    const sent = count(s.db, "SELECT count(*) AS n FROM outbox WHERE status = 'sent'");
    const files = fs.readdirSync(path.join(s.dir, 'outbox')).filter((n) => n.endsWith('.eml')).length;
    return [
      `shared database: 2 serve + 1 dispatch, 300 messages over 12 connections in ${(ms / 1000).toFixed(1)} s: ${tally(codes)}; ${codes.filter((c) => c === 451).length} x 451`,
      `  outbox: ${sent} sent, ${left} not yet; ${files} .eml files`,
    ];
  } finally {
    dispatch.kill('SIGTERM');
    await Promise.all(servers.map((x) => x.stop()));
  }
}

const SCENARIOS: Record<string, (root: string) => Promise<string[]>> = {
  slow: slowClients,
  idle: idleSockets,
  large: largeMessages,
  stranger: strangerAttachments,
  guess: guessing,
  shared: sharedDatabase,
};

async function main(): Promise<void> {
  const only = option('--only')?.split(',');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'casegate-rerun-'));
  // The whole run is bounded: past 5 minutes it stops, whatever it was doing.
  const guard = setTimeout(() => {
    console.error('rerun: past 5 minutes, stopping');
    children.forEach((c) => c.kill('SIGKILL'));
    process.exit(2);
  }, 300_000);
  console.log(`casegate issue 11 rerun, ${new Date().toISOString()}, node ${process.version}, nproc ${os.availableParallelism()}`);
  try {
    for (const [name, run] of Object.entries(SCENARIOS)) {
      if (only && !only.includes(name)) continue;
      const t0 = Date.now();
      const lines = await run(root);
      console.log(`${lines.join('\n')}\n  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } finally {
    clearTimeout(guard);
    children.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL'));
    if (!process.argv.includes('--keep')) fs.rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
