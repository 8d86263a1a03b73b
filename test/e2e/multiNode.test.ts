// SPEC §10, issue 18: two machines on one PostgreSQL database. Two `casegate serve` processes and
// two `casegate dispatch` processes, each started in a folder of its own (own cwd, own data folder:
// nothing shared but the database URL), a loopback SMTP sink as the relay. 2,000 distinct replies
// from case contacts and 100 new-case mails arrive over 20 sessions spread across both gateways,
// some replies through both; halfway one gateway and one dispatcher are SIGKILLed, and the sessions
// of the dead gateway go on through the other, sending again what got no answer (as an MTA with two
// MX hosts does). Then: every message answered 250 is stored exactly once, none refused is stored,
// a message sent through both gateways is one comment, case numbers are unique, and once the
// survivors finish every outbox row is sent and the relay got each row's Message-ID at least once.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createAccount } from '../../src/admin/accounts.js';
import { createContact } from '../../src/admin/contacts.js';
import { addRoutingAddress } from '../../src/admin/routing.js';
import { BIN } from '../helpers/cli.js';
import { startCaptureServer, type CaptureServer } from '../helpers/capture.js';
import { SUPPORT, addCollaborator, createCase } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { rawSession, type RawSession } from '../helpers/smtpRaw.js';
import { tempDir, type TempDir } from '../helpers/tempDir.js';
import { newDatabase, onPostgres, openTestDb, queryAt } from '../helpers/testDb.js';

const CASES = 40;
const REPLIES = 2_000;
const NEW_CASES = 100;
/** Replies sent through both gateways (each is one comment). */
const TWICE = 50;
const SESSIONS = 20;
const REFUSED = 20;

interface Node {
  proc: ChildProcess;
  port: number;
  output(): string;
}

interface Letter {
  id: string;
  raw: string;
  from: string;
  to: string;
  kind: 'reply' | 'new' | 'refused';
}

const procs: ChildProcess[] = [];
let tmp: TempDir | undefined;
let relay: CaptureServer | undefined;
afterAll(async () => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await relay?.close();
  tmp?.cleanup();
});

/** `casegate --db URL ARGS` in `cwd` with nothing but the database URL and the relay in common. */
function start(url: string, cwd: string, args: string[], env: Record<string, string>, waitForPort: boolean): Promise<Node> {
  fs.mkdirSync(cwd, { recursive: true });
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CASEGATE_')) clean[k] = v;
  const proc = spawn(process.execPath, [BIN, '--db', url, ...args], { cwd, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(proc);
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`casegate ${args[0]} did not start within 15 s:\n${out}`)), 15_000);
    const check = (): void => {
      const m = /listening on [^\s:]+:(\d+)/.exec(out);
      if (!waitForPort || m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m?.[1] ?? 0), output: () => out });
      }
    };
    proc.stdout?.on('data', check);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`casegate ${args[0]} exited (${code ?? signal}) before it was ready:\n${out}`));
    });
    if (!waitForPort) setImmediate(check);
  });
}

function killed(node: Node): Promise<void> {
  return new Promise((resolve) => {
    if (node.proc.exitCode !== null || node.proc.signalCode !== null) return resolve();
    node.proc.once('exit', () => resolve());
    node.proc.kill('SIGKILL');
  });
}

describe.skipIf(!onPostgres)('two gateways and two dispatchers on one PostgreSQL database', () => {
  it(`take ${REPLIES} replies and ${NEW_CASES} new cases over ${SESSIONS} sessions with a gateway and a dispatcher killed halfway`, async () => {
    const began = Date.now();
    tmp = tempDir('multinode');
    const url = await newDatabase(tmp.dir);
    relay = await startCaptureServer();
    const env = { CASEGATE_SMTP_URL: relay.url, CASEGATE_SENDER_AUTH: 'off', CASEGATE_DISPATCH_INTERVAL_MS: '1000', CASEGATE_MIN_FREE_BYTES: '0' };

    // The seed: an account, a contact and a collaborator per case (each reply notifies the collaborator).
    const config = loadConfig({ db: url }, env);
    const db = await openTestDb(url, tmp.dir);
    const contacts = Array.from({ length: CASES }, (_, i) => `contact${i}@acme.example`);
    await db.transaction(async (tx) => {
      const acme = await createAccount(tx, 'Acme');
      for (const [i, email] of contacts.entries()) await createContact(tx, { account: acme.id, email, firstName: 'Contact', lastName: `Number ${i}` });
      await addRoutingAddress(tx, config, { address: SUPPORT });
    });
    const cases: Array<{ address: string; contact: string }> = [];
    for (const contact of contacts) {
      const c = await createCase(db, config, { subject: `Printer ${contact}`, contact });
      await addCollaborator(db, config, c.number, contact.replace('contact', 'watcher'));
      cases.push({ address: c.address, contact });
    }
    await db.close();

    // The letters: distinct replies, new-case mails, some to an address nobody has (refused).
    const letter = (kind: Letter['kind'], i: number, from: string, to: string, subject?: string): Letter => {
      const id = `<${kind}-${i}@mail.acme.example>`;
      return { id, kind, from, to, raw: mail({ from, to, messageId: id, subject, body: `${kind} ${i}: the printer says error ${i * 7919}.` }) };
    };
    const replies = Array.from({ length: REPLIES }, (_, i) => {
      const c = cases[i % CASES] as { address: string; contact: string };
      return letter('reply', i, c.contact, c.address);
    });
    const fresh = Array.from({ length: NEW_CASES }, (_, i) => letter('new', i, contacts[i % CASES] as string, SUPPORT, `Scanner ${i} is broken`));
    const refused = Array.from({ length: REFUSED }, (_, i) => letter('refused', i, contacts[i % CASES] as string, 'nobody@acme-support.example'));
    const all = [...replies, ...fresh, ...refused];
    // Session s sends every SESSIONS-th letter; sessions 0-9 start on gateway A, 10-19 on B. The
    // first TWICE replies also go through the other gateway's session (the same message twice).
    const shares: Letter[][] = Array.from({ length: SESSIONS }, (_, s) => all.filter((_, i) => i % SESSIONS === s));
    for (let i = 0; i < TWICE; i++) (shares[(i % SESSIONS) < 10 ? (i % SESSIONS) + 10 : (i % SESSIONS) - 10] as Letter[]).push(replies[i] as Letter);

    const gwA = await start(url, path.join(tmp.dir, 'machine-a'), ['serve', '--no-dispatch', '--host', '127.0.0.1', '--port', '0'], env, true);
    const gwB = await start(url, path.join(tmp.dir, 'machine-b'), ['serve', '--no-dispatch', '--host', '127.0.0.1', '--port', '0'], env, true);
    const dA = await start(url, path.join(tmp.dir, 'machine-a'), ['dispatch', '--lease-seconds', '2'], env, false);
    const dB = await start(url, path.join(tmp.dir, 'machine-b'), ['dispatch', '--lease-seconds', '2'], env, false);

    // Answers per Message-ID: what each send got (250, 5xx, or no answer when the gateway died).
    const answers = new Map<string, number[]>();
    let done = 0;
    let killing: Promise<void> | null = null;
    const total = shares.reduce((n, s) => n + s.length, 0);
    let bDead = false;

    async function runSession(s: number): Promise<void> {
      let onB = s >= 10;
      let session: RawSession | null = null;
      for (const l of shares[s] as Letter[]) {
        for (let attempt = 0; ; attempt++) {
          if (onB && bDead) {
            session?.end();
            session = null;
            onB = false; // the other MX
          }
          try {
            session ??= await rawSession(onB ? gwB.port : gwA.port, { timeoutMs: 15_000 });
            const r = await session.send(l.raw, { from: l.from, to: [l.to] });
            if (r.code === 0) throw new Error(r.text);
            answers.set(l.id, [...(answers.get(l.id) ?? []), r.code]);
            if (r.code >= 400 && r.code < 500 && attempt < 3) {
              session.end();
              session = null;
              continue;
            }
            break;
          } catch {
            // No answer: the gateway died under us. Sent again (through the survivor), as an MTA would.
            session?.end();
            session = null;
            answers.set(l.id, [...(answers.get(l.id) ?? []), 0]);
            if (onB && !bDead) await killing;
            if (attempt >= 3) throw new Error(`${l.id} got no answer in 4 tries`);
          }
        }
        done += 1;
        if (done === Math.floor(total / 2) && killing === null) {
          killing = Promise.all([killed(gwB), killed(dB)]).then(() => {
            bDead = true;
          });
        }
      }
      session?.end();
    }
    const seeded = Date.now();
    await Promise.all(Array.from({ length: SESSIONS }, (_, s) => runSession(s)));
    await killing;
    const ingested = Date.now();

    // Every message answered 250 is stored exactly once; none refused is stored.
    // A reply is stored as a comment; a new-case mail as a case (whose first comment it also is).
    const stored = new Map<string, number>();
    const comments = await queryAt<{ id: string; n: number }>(url, `SELECT i.message_id AS id, count(*) AS n FROM comments c JOIN inbound i ON i.id = c.inbound_id GROUP BY i.message_id`);
    for (const r of comments) if (r.id.startsWith('<reply-') || r.id.startsWith('<refused-')) stored.set(r.id, r.n);
    const opened = await queryAt<{ id: string; n: number }>(url, `SELECT thread_root AS id, count(*) AS n FROM cases GROUP BY thread_root`);
    for (const r of opened) if (!r.id.startsWith('<reply-')) stored.set(r.id, (stored.get(r.id) ?? 0) + r.n);
    const accepted = [...replies, ...fresh].filter((l) => answers.get(l.id)?.includes(250));
    expect(accepted).toHaveLength(REPLIES + NEW_CASES);
    expect(accepted.filter((l) => stored.get(l.id) !== 1).map((l) => `${l.id}: ${stored.get(l.id) ?? 0}`)).toEqual([]);
    expect(refused.every((l) => answers.get(l.id)?.every((code) => code >= 500))).toBe(true);
    expect(refused.filter((l) => stored.has(l.id))).toEqual([]);
    // The same message through both gateways: answered 250 by both, one comment.
    expect(replies.slice(0, TWICE).filter((l) => (answers.get(l.id) ?? []).filter((c) => c === 250).length < 2).map((l) => l.id)).toEqual([]);
    // Unique case numbers.
    const numbers = await queryAt<{ n: number; d: number }>(url, 'SELECT count(*) AS n, count(DISTINCT number) AS d FROM cases');
    expect(numbers[0]?.n).toBe(numbers[0]?.d);
    expect(numbers[0]?.n).toBe(CASES + NEW_CASES);

    // The surviving dispatcher sends every row (the dead one's after its lease), each at least once.
    let pending = -1;
    for (let i = 0; i < 1200 && pending !== 0; i++) {
      pending = (await queryAt<{ n: number }>(url, "SELECT count(*) AS n FROM outbox WHERE status = 'pending'"))[0]?.n ?? -1;
      if (pending !== 0) await new Promise((r) => setTimeout(r, 100));
    }
    const rows = await queryAt<{ id: string; status: string }>(url, 'SELECT message_id AS id, status FROM outbox');
    const got = new Set(relay.accepted().map((r) => r.messageId));
    const sentAt = Date.now();
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    expect(rows.filter((r) => !got.has(r.id)).map((r) => r.id)).toEqual([]);
    const twiceSent = relay.accepted().length - new Set(relay.accepted().map((r) => r.messageId)).size;
    expect(rows.length).toBe(CASES * 2 + REPLIES + NEW_CASES);

    const noAnswer = [...answers.values()].flat().filter((c) => c === 0).length;
    const duplicates = (await queryAt<{ n: number }>(url, "SELECT count(*) AS n FROM inbound WHERE decision = 'duplicate'"))[0]?.n;
    console.log(
      `multi-node: ${all.length} messages (${REPLIES} replies, ${NEW_CASES} new cases, ${REFUSED} refused, ${TWICE} replies through both gateways) over ${SESSIONS} sessions; ` +
        `answers: ${accepted.length} accepted, ${refused.length} refused, ${noAnswer} unanswered when gateway B was killed (sent again through A), ` +
        `${duplicates} taken as duplicates; seed and start ${((seeded - began) / 1000).toFixed(1)} s, ingest ${((ingested - seeded) / 1000).toFixed(1)} s; ` +
        `outbox ${rows.length} rows all sent, ${twiceSent} sent twice (the killed dispatcher's), relay done ${((sentAt - began) / 1000).toFixed(1)} s after start`,
    );
    await Promise.all([dA, gwA].map(async (n) => {
      n.proc.kill('SIGTERM');
      await new Promise((r) => n.proc.once('exit', r));
    }));
  }, 300_000);
});
