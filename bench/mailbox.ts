// Row 9: draining an IMAP mailbox. A throwaway Dovecot (test/helpers/dovecot.ts) holds 2,000 4 KiB
// replies from a case contact in each of two mailboxes. casegate's `fetchOnce` takes one: every
// message through the ingest pipeline (a comment, an inbound log row, outbox rows), then moved to
// casegate/done. The baseline reads the other with the same IMAP client and the same steps (search,
// download each message, move it) but stores nothing. Both stream one message at a time.
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
import { dovecotUnavailable, startDovecot } from '../test/helpers/dovecot.js';
import type { BenchContext, Row } from './table.js';

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
  const n = ctx.smoke ? 20 : 2000;
  const name = `mailbox drain, ${n.toLocaleString('en')} messages over IMAP (msgs/s)`;
  const why = dovecotUnavailable();
  if (why !== null) return [{ id: '9', name, casegate: '-', baseline: '-', ratio: NaN, target: null, verdict: why }];
  const imap = await startDovecot({ casegate: PASSWORD, baseline: PASSWORD });
  try {
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
  } finally {
    await imap.cleanup();
  }
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
