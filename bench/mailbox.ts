// Row 9: draining an IMAP mailbox. A throwaway Dovecot (test/helpers/dovecot.ts) holds 2,000 4 KiB
// replies from a case contact in each of two mailboxes. casegate's `fetchOnce` takes one: every
// message through the ingest pipeline (a comment, an inbound log row, outbox rows), then moved to
// casegate/done. The baseline reads the other with the same IMAP client and the same steps (search,
// download each message, move it) but stores nothing. Both stream one message at a time.
//
// Row 9b: memory of the drain. The real `casegate fetch --once` process drains a mailbox of 10,000
// such replies; its peak RSS (VmHWM, read from /proc every 100 ms) against the same command's peak
// on a mailbox of 1,000, in the same run. Flat (a ratio near 1) is the proof that the drain holds
// one message and one batch of UIDs at a time, whatever the mailbox's size.
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { loadConfig } from '../src/config.js';
import { createCommitter, openDb } from '../src/db/client.js';
import { createContact } from '../src/admin/contacts.js';
import { addMailbox } from '../src/admin/mailboxes.js';
import { openCaseRequest } from '../src/cases/request.js';
import { caseDetail } from '../src/views/case.js';
import { fetchOnce } from '../src/mailbox/once.js';
import { dovecotUnavailable, startDovecot, type DovecotInstance } from '../test/helpers/dovecot.js';
import type { BenchContext, Row } from './table.js';
import { casegateBin, runCasegateMeasured } from './child.js';

const PASSWORD = 'bench-password';
const ANN = 'ann@acme.example';

function reply(i: number): string {
  const para = `Reply number ${i}: the printer on floor 3 still jams in tray 2 after the restart.\r\n`;
  let body = '';
  while (body.length < 3500) body += para;
  return [
    `From: Ann Archer <${ANN}>`,
    'To: support@acme-support.example',
    `Subject: Re: [Case 00001001] Printer on floor 3 is jammed`,
    `Message-ID: <bench-imap-${i}@acme.example>`,
    'Date: Mon, 23 Nov 2026 10:02:00 +0000',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
  ].join('\r\n');
}

export async function benchMailbox(ctx: BenchContext): Promise<Row[]> {
  const why = dovecotUnavailable();
  if (why !== null) {
    return [
      { id: '9', name: 'mailbox drain over IMAP (msgs/s)', casegate: '-', baseline: '-', ratio: NaN, target: null, verdict: why },
      { id: '9b', name: 'mailbox drain, peak RSS of fetch --once', casegate: '-', baseline: '-', ratio: NaN, target: null, verdict: why },
    ];
  }
  // One server for both rows, a user per mailbox.
  const imap = await startDovecot({ casegate: PASSWORD, baseline: PASSWORD, small: PASSWORD, large: PASSWORD });
  try {
    return [...(await benchDrainRate(ctx, imap)), ...(await benchDrainMemory(ctx, imap))];
  } finally {
    await imap.cleanup();
  }
}

async function benchDrainRate(ctx: BenchContext, imap: DovecotInstance): Promise<Row[]> {
  const n = ctx.smoke ? 20 : 2000;
  const name = `mailbox drain, ${n.toLocaleString('en')} messages over IMAP (msgs/s)`;
  const file = path.join(ctx.dir, 'mailbox.db');
  const passwordFile = path.join(imap.dir, 'passwd-bench');
  fs.writeFileSync(passwordFile, `${PASSWORD}\n`);
  const config = loadConfig({ db: file }, { CASEGATE_SENDER_AUTH: 'off', CASEGATE_OUTBOX_DIR: path.join(ctx.dir, 'mailbox-outbox') });
  const db = await openDb(file);
  const caseAddress = await db.transaction(async (tx) => {
    await createContact(tx, { email: ANN, firstName: 'Ann', lastName: 'Archer' });
    const opened = await openCaseRequest(tx, config, { subject: 'Printer on floor 3 is jammed', contact: ANN }, Date.now());
    const detail = await caseDetail(tx, opened, config.domain);
    await addMailbox(tx, config, { url: imap.url('casegate'), to: detail.address, passwordFile, insecure: true });
    return detail.address;
  });
  const messages = Array.from({ length: n }, (_, i) => reply(i + 1));
  await imap.appendAll('casegate', messages);
  await imap.appendAll('baseline', messages);

  const t0 = performance.now();
  const [pass] = await fetchOnce({ db, config, committer: createCommitter(db) });
  const ours = performance.now() - t0;
  if (pass?.error || pass?.done !== n) throw new Error(`row 9: casegate took ${pass?.done} of ${n} messages (${pass?.error ?? 'no error'}) to ${caseAddress}`);
  await db.close();

  const t1 = performance.now();
  const moved = await drainBare(imap.port);
  const floor = performance.now() - t1;
  if (moved !== n) throw new Error(`row 9: the baseline moved ${moved} of ${n} messages`);
  ctx.notes.push(
    `9: ${n} 4 KiB replies to one case in a throwaway Dovecot (imaps on loopback); casegate: fetch --once (ingest, commit, move to casegate/done), ` +
      'sender authentication off (no client IP over IMAP); baseline: the same IMAP steps with imapflow, nothing stored',
  );
  const rate = (ms: number): number => n / (ms / 1000);
  return [{ id: '9', name, casegate: `${rate(ours).toFixed(0)} msgs/s`, baseline: `${rate(floor).toFixed(0)} msgs/s`, ratio: rate(ours) / rate(floor), target: null }];
}

/** Row 9b: peak RSS of `casegate fetch --once` on a mailbox of 10,000 messages against one of 1,000. */
async function benchDrainMemory(ctx: BenchContext, imap: DovecotInstance): Promise<Row[]> {
  const [small, large] = ctx.smoke ? [5, 20] : [1000, 10_000];
  const name = `mailbox drain, peak RSS of fetch --once at ${large.toLocaleString('en')} vs ${small.toLocaleString('en')} messages`;
  const bin = casegateBin;
  const passwordFile = path.join(imap.dir, 'passwd-bench');
  fs.writeFileSync(passwordFile, `${PASSWORD}\n`);
  const runs: Record<string, { peakMib: number; seconds: number }> = {};
  for (const [user, n] of [['small', small], ['large', large]] as const) {
    const file = path.join(ctx.dir, `mailbox-${user}.db`);
    const env = { CASEGATE_SENDER_AUTH: 'off', CASEGATE_OUTBOX_DIR: path.join(ctx.dir, `mailbox-${user}-outbox`), CASEGATE_MIN_FREE_BYTES: '0' };
    const config = loadConfig({ db: file }, env);
    const db = await openDb(file);
    await db.transaction(async (tx) => {
      await createContact(tx, { email: ANN, firstName: 'Ann', lastName: 'Archer' });
      const opened = await openCaseRequest(tx, config, { subject: 'Printer on floor 3 is jammed', contact: ANN }, Date.now());
      const detail = await caseDetail(tx, opened, config.domain);
      await addMailbox(tx, config, { url: imap.url(user), to: detail.address, passwordFile, insecure: true });
    });
    await db.close();
    // Made one at a time: the bench itself never holds the mailbox.
    await imap.appendAll(user, (function* () {
      for (let i = 1; i <= n; i++) yield reply(i);
    })());
    const run = await runFetch(bin, file, env);
    const [pass] = run.passes;
    if (pass?.error || pass?.done !== n) throw new Error(`row 9b: fetch --once took ${pass?.done} of ${n} messages (${pass?.error ?? 'no error'})`);
    runs[user] = run;
  }
  const s = runs.small as { peakMib: number; seconds: number };
  const l = runs.large as { peakMib: number; seconds: number };
  ctx.notes.push(
    `9b: the real binary, \`casegate fetch --once\` on a fresh SQLite database per mailbox, the same 4 KiB replies as row 9; ` +
      `${small}: ${s.seconds.toFixed(1)} s, ${large}: ${l.seconds.toFixed(1)} s (start-up included)`,
  );
  return [
    {
      id: '9b',
      name,
      casegate: `${l.peakMib.toFixed(0)} MiB (${large.toLocaleString('en')}), ${(large / l.seconds).toFixed(0)} msgs/s`,
      baseline: `${s.peakMib.toFixed(0)} MiB (${small.toLocaleString('en')})`,
      ratio: l.peakMib / s.peakMib,
      target: { max: 1.25, label: '<= 1.25 (flat)' },
    },
  ];
}

/** Runs `casegate fetch --once --json`; its passes, wall seconds and the highest VmHWM seen, in MiB. */
async function runFetch(bin: string, db: string, env: Record<string, string>): Promise<{ passes: { done: number; error: string | null }[]; seconds: number; peakMib: number }> {
  const run = await runCasegateMeasured(bin, ['--db', db, 'fetch', '--once', '--json'], env);
  return { passes: JSON.parse(run.out) as { done: number; error: string | null }[], seconds: run.seconds, peakMib: run.peakMib };
}

/** Search, download each message to nowhere, move it: what any IMAP fetcher does, without storing. */
async function drainBare(port: number): Promise<number> {
  const client = new ImapFlow({ host: '127.0.0.1', port, secure: true, tls: { rejectUnauthorized: false }, auth: { user: 'baseline', pass: PASSWORD }, logger: false, disableAutoIdle: true });
  await client.connect();
  let moved = 0;
  try {
    await client.mailboxCreate('done');
    const lock = await client.getMailboxLock('INBOX');
    try {
      const uids = (await client.search({ deleted: false }, { uid: true })) || [];
      for (const uid of uids) {
        const { content } = await client.download(String(uid), undefined, { uid: true, chunkSize: 1024 * 1024 });
        if (content) for await (const chunk of content) void chunk;
        if (await client.messageMove(String(uid), 'done', { uid: true })) moved++;
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
  return moved;
}
