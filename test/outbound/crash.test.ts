// The dispatcher as a process: killed with SIGKILL in the middle of a batch and started again, it
// still sends every row, and never sends again a row whose `sent` mark was committed. SIGTERM lets
// the messages in flight finish. With the .eml folder transport, a crash between a file and its
// `sent` mark leaves no duplicate: the resend replaces the file named by the Message-ID.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCaptureServer, type CaptureServer } from '../helpers/capture.js';
import { BIN } from '../helpers/cli.js';
import { DOMAIN, seedCase, seedComment, seedOutbox, tempStore, type TempStore } from '../helpers/seed.js';
import { engineEnvOf, query } from '../helpers/testDb.js';

let t: TempStore;
let smtp: CaptureServer | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing; run "npm run build" first`);
});
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await smtp?.close();
  smtp = undefined;
  await t.cleanup();
});

/** `casegate dispatch ARGS`: to the capturing relay, or with `outboxDir` into that .eml folder. */
function dispatch(args: string[], outboxDir?: string): { child: ChildProcess; exited: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, 'dispatch', ...args], {
    env: {
      PATH: process.env.PATH,
      CASEGATE_DB: t.file,
      ...engineEnvOf(t.file),
      CASEGATE_DOMAIN: DOMAIN,
      ...(outboxDir === undefined ? { CASEGATE_SMTP_URL: smtp!.url } : { CASEGATE_OUTBOX_DIR: outboxDir }),
      CASEGATE_DISPATCH_INTERVAL_MS: '50',
      CASEGATE_RETRY_SCHEDULE: '0,0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.on('exit', (code) => resolve({ code, stderr }));
  });
  return { child, exited };
}

async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for `count` accepted messages; fails at once, with its stderr, if the dispatcher exits. */
function acceptedWhileRunning(run: ReturnType<typeof dispatch>, count: number): Promise<void> {
  const died = run.exited.then(({ code, stderr }) => {
    throw new Error(`dispatch exited early with code ${code}: ${stderr.slice(0, 2000)}`);
  });
  died.catch(() => undefined); // the dispatcher is killed later on purpose
  return Promise.race([smtp!.waitForAccepted(count, 15_000), died]);
}

interface RowState {
  id: number;
  status: string;
  message_id: string;
  recipient: string;
  lease_until: number | null;
}
const rows = async (): Promise<RowState[]> =>
  (await query(t.db, 'SELECT id, status, message_id, recipient, lease_until FROM outbox ORDER BY id')) as RowState[];

async function seedRows(count: number): Promise<void> {
  const c = await seedCase(t.db);
  const comment = await seedComment(t.db, c.id, { files: [{ filename: 'log.txt', contentType: 'text/plain', content: Buffer.from('log') }] });
  for (let i = 0; i < count; i++) await seedOutbox(t.db, { caseId: c.id, commentId: comment.id, recipient: `p${i}@customer.test` });
}

describe('a dispatcher killed mid-batch', () => {
  it('sends every row after a restart, and nothing twice whose sent mark was committed', async () => {
    smtp = await startCaptureServer({ delayMs: 150 });
    await seedRows(30);

    const first = dispatch(['--lease-seconds', '2']);
    await acceptedWhileRunning(first, 8);
    first.child.kill('SIGKILL');
    await within(5000, 'the killed dispatcher to exit', first.exited);

    const afterCrash = await rows();
    const committed = afterCrash.filter((r) => r.status === 'sent');
    expect(committed.length).toBeGreaterThan(0);
    expect(afterCrash.filter((r) => r.status === 'pending').length).toBeGreaterThan(0);

    // Rows the dead process had leased become due when their lease runs out.
    const leaseEnd = Math.max(0, ...afterCrash.map((r) => r.lease_until ?? 0));
    await new Promise((r) => setTimeout(r, Math.max(0, leaseEnd - Date.now()) + 100));
    const second = dispatch(['--once', '--lease-seconds', '2']);
    const { code, stderr } = await within(20_000, 'dispatch --once', second.exited);
    expect(stderr).toBe('');
    expect(code).toBe(0);

    const final = await rows();
    expect(final.every((r) => r.status === 'sent')).toBe(true);
    const deliveries = (messageId: string) => smtp!.accepted().filter((d) => d.messageId === messageId);
    for (const r of final) {
      expect(deliveries(r.message_id).length).toBeGreaterThanOrEqual(1);
      for (const d of deliveries(r.message_id)) expect(d.rcptTo).toEqual([r.recipient]);
    }
    for (const r of committed) expect(deliveries(r.message_id)).toHaveLength(1);
  });

  it('on SIGTERM finishes the messages in flight, leaves no row leased and exits 0', async () => {
    smtp = await startCaptureServer({ delayMs: 150 });
    await seedRows(40);

    const run = dispatch(['--lease-seconds', '60']);
    await acceptedWhileRunning(run, 3);
    run.child.kill('SIGTERM');
    const { code, stderr } = await within(10_000, 'dispatch to stop after SIGTERM', run.exited);
    // Its log (JSON lines: stderr is no terminal) says only that messages were sent.
    const notSent = stderr.split('\n').filter((l) => l !== '' && !/^\{"level":"info",.*"event":"dispatch",.*"result":"sent"/.test(l));
    expect(notSent).toEqual([]);
    expect(code).toBe(0);

    const final = await rows();
    expect(final.every((r) => r.lease_until === null)).toBe(true);
    const sent = final.filter((r) => r.status === 'sent');
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(final.some((r) => r.status === 'pending')).toBe(true);
    // Every message the server received was recorded as sent: nothing was cut off; rows not yet
    // begun were given back, not left leased.
    expect(smtp.received.length).toBe(sent.length);
  });
});

describe('a dispatcher killed while writing .eml files', () => {
  const ROWS = 400;
  /** The .eml files of the folder (temporary dot-files of a write in progress are not messages). */
  const emlFiles = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.eml') && !n.startsWith('.')) : []);
  const fileOf = (messageId: string): string => `${messageId.replace(/^<|>$/g, '').split('@')[0]}.eml`;

  it('ends with every row sent and exactly one file per sent row, none extra', async () => {
    const outbox = path.join(t.dir, 'outbox');
    await seedRows(ROWS);

    const first = dispatch(['--lease-seconds', '2'], outbox);
    const died = first.exited.then(({ code, stderr }) => {
      throw new Error(`dispatch exited before it was killed, code ${code}: ${stderr.slice(0, 2000)}`);
    });
    died.catch(() => undefined);
    // Killed once a few dozen files are written: well inside the run of 400.
    const started = Date.now();
    while (emlFiles(outbox).length < 40) {
      if (Date.now() - started > 15_000) throw new Error(`only ${emlFiles(outbox).length} .eml files after 15 s`);
      await Promise.race([new Promise((r) => setTimeout(r, 5)), died]);
    }
    first.child.kill('SIGKILL');
    await within(5000, 'the killed dispatcher to exit', first.exited);

    // At the crash: every row marked sent has its file (the file is written first), a file for a
    // row not yet marked is allowed, and there are never more files than rows.
    const afterCrash = await rows();
    const sentAtCrash = afterCrash.filter((r) => r.status === 'sent');
    const filesAtCrash = new Set(emlFiles(outbox));
    expect(sentAtCrash.length).toBeGreaterThan(0);
    expect(afterCrash.filter((r) => r.status !== 'sent').length, 'killed too late: nothing left to resend').toBeGreaterThan(0);
    for (const r of sentAtCrash) expect(filesAtCrash.has(fileOf(r.message_id))).toBe(true);
    expect(filesAtCrash.size).toBeLessThanOrEqual(ROWS);
    for (const name of filesAtCrash) expect(afterCrash.some((r) => fileOf(r.message_id) === name)).toBe(true);

    // The leases of the dead process run out; a new dispatcher sends the rest, resending the rows
    // whose file was written but whose sent mark was not.
    const leaseEnd = Math.max(0, ...afterCrash.map((r) => r.lease_until ?? 0));
    await new Promise((r) => setTimeout(r, Math.max(0, leaseEnd - Date.now()) + 100));
    const second = dispatch(['--once', '--lease-seconds', '2'], outbox);
    const { code, stderr } = await within(60_000, 'dispatch --once', second.exited);
    expect(stderr).toBe('');
    expect(code).toBe(0);

    const final = await rows();
    expect(final.filter((r) => r.status !== 'sent')).toEqual([]);
    const files = emlFiles(outbox).sort();
    expect(files).toHaveLength(final.length);
    expect(files).toEqual(final.map((r) => fileOf(r.message_id)).sort());
  }, 90_000);
});
