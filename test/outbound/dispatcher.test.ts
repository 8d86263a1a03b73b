// The dispatcher against a real SMTP server on 127.0.0.1: what arrives, and what the outbox says
// afterwards.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simpleParser, type AddressObject } from 'mailparser';
import { loadConfig, type Config } from '../../src/config.js';
import { createDispatcher } from '../../src/outbound/dispatcher.js';
import { createSmtpTransport } from '../../src/outbound/transport.js';
import { alwaysReject, headerOf, startCaptureServer, tempFailThenAccept, type CaptureServer } from '../helpers/capture.js';
import { DOMAIN, outboxRow, seedCase, seedComment, seedOutbox, tempStore, type TempStore } from '../helpers/seed.js';
import { execSql, query } from '../helpers/testDb.js';

let t: TempStore;
let smtp: CaptureServer | undefined;

beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await smtp?.close();
  smtp = undefined;
  await t.cleanup();
});

function configFor(server: CaptureServer, schedule = '0,0'): Config {
  return loadConfig(
    { db: t.file },
    { CASEGATE_DOMAIN: DOMAIN, CASEGATE_SMTP_URL: server.url, CASEGATE_RETRY_SCHEDULE: schedule, CASEGATE_FROM: 'support@example.test' },
  );
}

async function dispatchAll(config: Config) {
  const dispatcher = createDispatcher({ db: t.db, config, transport: createSmtpTransport(config.smtpUrl ?? '') });
  try {
    return await dispatcher.runOnce();
  } finally {
    await dispatcher.stop();
  }
}

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) => x.value.map((v) => v.address ?? ''));

describe('every notification is one message to one person', () => {
  it('sends exactly one message per row, To the recipient only, without Cc or Bcc', async () => {
    smtp = await startCaptureServer();
    const c = await seedCase(t.db);
    const comment = await seedComment(t.db, c.id);
    const recipients = ['bob@customer.test', 'Carol@Partner.test', 'dave@customer.test'];
    const rows = [];
    for (const recipient of recipients) rows.push(await seedOutbox(t.db, { caseId: c.id, commentId: comment.id, recipient }));

    expect(await dispatchAll(configFor(smtp))).toEqual({ sent: 3, retried: 0, failed: 0, held: 0 });

    expect(smtp.received).toHaveLength(3);
    for (const [i, row] of rows.entries()) {
      const got = smtp.received.filter((r) => r.messageId === row.messageId);
      expect(got).toHaveLength(1);
      const mail = await simpleParser(got[0]!.raw);
      // nodemailer writes domains in lower case; the local part is kept as given.
      const expected = recipients[i]!.replace(/@.*/, (d) => d.toLowerCase());
      expect(addresses(mail.to)).toEqual([expected]);
      expect(headerOf(got[0]!.raw, 'to')).toBe(expected);
      expect(mail.cc).toBeUndefined();
      expect(mail.bcc).toBeUndefined();
      expect(mail.headers.has('bcc')).toBe(false);
      expect(got[0]!.rcptTo).toEqual([expected]);
      expect(await outboxRow(t.db, row.id)).toMatchObject({ status: 'sent', attempts: 1, lease_owner: null });
      expect((await outboxRow(t.db, row.id)).response).toMatch(/^250\b/);
    }
  });

  it('uses a VERP envelope sender naming the row, and threads the message under the case', async () => {
    smtp = await startCaptureServer();
    const c = await seedCase(t.db, { subject: 'Printer on fire' });
    const comment = await seedComment(t.db, c.id, { body: 'Still burning, see photo.' });
    const row = await seedOutbox(t.db, { caseId: c.id, commentId: comment.id, recipient: 'bob@customer.test' });

    await dispatchAll(configFor(smtp));

    const [got] = smtp.received;
    expect(got!.mailFrom).toBe(`bounce+${row.token}@${DOMAIN}`);
    const mail = await simpleParser(got!.raw);
    expect(mail.messageId).toBe(row.messageId);
    expect(mail.inReplyTo).toBe(c.threadRoot);
    expect(mail.references).toBe(c.threadRoot);
    expect(mail.subject).toBe(`[Case ${c.number}] Printer on fire`);
    expect(addresses(mail.from)).toEqual(['support@example.test']);
    // The recipient's own reply address: no case number, no person, not the case-level address.
    const replyTo = (await query(t.db, 'SELECT r.token FROM outbox o JOIN reply_addresses r ON r.id = o.reply_address_id WHERE o.id = ?', [row.id]))[0] as { token: string };
    expect(addresses(mail.replyTo)).toEqual([`case+${replyTo.token}@${DOMAIN}`]);
    expect(replyTo.token).toMatch(/^[a-z0-9]{20,}$/);
    expect(replyTo.token).not.toBe(c.addressToken);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.headers.get('x-auto-response-suppress')).toBe('All');
    expect(mail.headers.get('x-casegate-loop')).toBe(DOMAIN);
    expect(mail.text).toContain('##- Please type your reply above this line -##');
    expect(mail.text).toContain('Still burning, see photo.');
    expect(mail.text).toContain('Alice Example <alice@customer.test>');
  });

  it('carries the comment attachments byte for byte', async () => {
    smtp = await startCaptureServer();
    const c = await seedCase(t.db);
    const pdf = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256));
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const comment = await seedComment(t.db, c.id, {
      files: [
        { filename: 'report.pdf', contentType: 'application/pdf', content: pdf },
        { filename: 'photo.png', contentType: 'image/png', content: png, contentId: '<photo1@mail.test>', inline: true },
      ],
    });
    await seedOutbox(t.db, { caseId: c.id, commentId: comment.id, recipient: 'bob@customer.test' });

    await dispatchAll(configFor(smtp));

    const mail = await simpleParser(smtp.received[0]!.raw, { keepCidLinks: true });
    const files = new Map(mail.attachments.map((a) => [a.filename, a]));
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(files.get('report.pdf')!.content)).toBe(comment.sha256[0]);
    expect(files.get('report.pdf')!.contentType).toBe('application/pdf');
    expect(sha(files.get('photo.png')!.content)).toBe(comment.sha256[1]);
    expect(files.get('photo.png')!.cid).toBe('photo1@mail.test');
    expect(mail.html).toContain('cid:photo1@mail.test');
  });
});

describe('temporary failures are retried, permanent ones fail with the server answer', () => {
  it('451 then 250: the row is retried, then sent', async () => {
    smtp = await startCaptureServer({ answer: tempFailThenAccept });
    const c = await seedCase(t.db);
    const comment = await seedComment(t.db, c.id);
    const row = await seedOutbox(t.db, { caseId: c.id, commentId: comment.id, recipient: 'bob@customer.test' });

    expect(await dispatchAll(configFor(smtp))).toEqual({ sent: 1, retried: 1, failed: 0, held: 0 });
    expect(smtp.received.map((r) => r.code)).toEqual([451, 250]);
    expect(await outboxRow(t.db, row.id)).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
  });

  it('451 with a retry schedule in the future: the row waits, with the answer recorded', async () => {
    smtp = await startCaptureServer({ answer: tempFailThenAccept });
    const c = await seedCase(t.db);
    const row = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'bob@customer.test' });
    const before = Date.now();

    expect(await dispatchAll(configFor(smtp, '600'))).toEqual({ sent: 0, retried: 1, failed: 0, held: 0 });
    const stored = await outboxRow(t.db, row.id);
    expect(stored).toMatchObject({ status: 'pending', attempts: 1 });
    expect(stored.last_error).toContain('451');
    expect(stored.next_attempt_at).toBeGreaterThanOrEqual(before + 600_000);
  });

  it('550: the row fails at once with the server answer', async () => {
    smtp = await startCaptureServer({ answer: alwaysReject });
    const c = await seedCase(t.db);
    const comment = await seedComment(t.db, c.id);
    const row = await seedOutbox(t.db, { caseId: c.id, commentId: comment.id, recipient: 'nobody@example.com' });

    expect(await dispatchAll(configFor(smtp))).toEqual({ sent: 0, retried: 0, failed: 1, held: 0 });
    expect(smtp.received).toHaveLength(1);
    const stored = await outboxRow(t.db, row.id);
    expect(stored).toMatchObject({ status: 'failed', attempts: 1 });
    expect(stored.last_error).toMatch(/^550 .*5\.1\.1 <nobody@example\.com>: Recipient address rejected/);
  });

  it('550 at RCPT TO marks the address hard-bouncing: its later rows are held, not tried again', async () => {
    smtp = await startCaptureServer({
      rcpt: (address) => (address.toLowerCase() === 'gone@example.com' ? { code: 550, message: '5.1.1 <gone@example.com>: Recipient address rejected: User unknown' } : null),
    });
    const c = await seedCase(t.db);
    const comment = await seedComment(t.db, c.id);
    const first = await seedOutbox(t.db, { caseId: c.id, commentId: comment.id, recipient: 'Gone@example.com' });
    const other = await seedOutbox(t.db, { caseId: c.id, commentId: comment.id, recipient: 'bob@customer.test' });

    expect(await dispatchAll(configFor(smtp))).toEqual({ sent: 1, retried: 0, failed: 1, held: 0 });
    expect(await outboxRow(t.db, first.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await outboxRow(t.db, other.id)).toMatchObject({ status: 'sent' });
    const later = await seedOutbox(t.db, { caseId: c.id, commentId: comment.id, recipient: 'gone@example.com' });
    expect((await outboxRow(t.db, later.id)).status).toBe('held');
    expect((await outboxRow(t.db, later.id)).last_error).toMatch(/bounced earlier \(5\.1\.1 .*User unknown/);
    expect(smtp.received.map((r) => r.rcptTo)).toEqual([['bob@customer.test']]);
  });

  it('550 to DATA is about the message, not the address: nothing is held afterwards', async () => {
    smtp = await startCaptureServer({ answer: alwaysReject });
    const c = await seedCase(t.db);
    const comment = await seedComment(t.db, c.id);
    await seedOutbox(t.db, { caseId: c.id, commentId: comment.id, recipient: 'nobody@example.com' });
    await dispatchAll(configFor(smtp));
    const later = await seedOutbox(t.db, { caseId: c.id, commentId: comment.id, recipient: 'nobody@example.com' });
    expect((await outboxRow(t.db, later.id)).status).toBe('pending');
  });

  it('a refused connection is retried until the schedule runs out, then the row fails', async () => {
    smtp = await startCaptureServer();
    const url = smtp.url;
    await smtp.close();
    smtp = undefined;
    const c = await seedCase(t.db);
    const row = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'bob@customer.test' });
    const config = loadConfig({ db: t.file }, { CASEGATE_DOMAIN: DOMAIN, CASEGATE_SMTP_URL: url, CASEGATE_RETRY_SCHEDULE: '0,0' });

    expect(await dispatchAll(config)).toEqual({ sent: 0, retried: 2, failed: 1, held: 0 });
    const stored = await outboxRow(t.db, row.id);
    expect(stored).toMatchObject({ status: 'failed', attempts: 3 });
    expect(stored.last_error).toMatch(/^gave up after 3 attempts: .*ECONNREFUSED/);
  });

  it('an attachment missing from the blob store fails the row without contacting the relay', async () => {
    smtp = await startCaptureServer();
    const c = await seedCase(t.db);
    const comment = await seedComment(t.db, c.id, {
      files: [{ filename: 'gone.txt', contentType: 'text/plain', content: Buffer.from('soon gone') }],
    });
    // The content is gone from whichever store holds it.
    if (t.db.blobs.kind === 'folder') fs.rmSync(t.db.blobs.where, { recursive: true });
    else await execSql(t.db, 'DELETE FROM blob_contents');
    const row = await seedOutbox(t.db, { caseId: c.id, commentId: comment.id, recipient: 'bob@customer.test' });

    expect(await dispatchAll(configFor(smtp))).toEqual({ sent: 0, retried: 0, failed: 1, held: 0 });
    expect(smtp.received).toHaveLength(0);
    expect((await outboxRow(t.db, row.id)).last_error).toMatch(/attachment "gone.txt" .* is missing/);
  });
});

describe('the loop', () => {
  it('started, it sends rows as they become due; stop() waits for the pass in flight', async () => {
    smtp = await startCaptureServer({ delayMs: 100 });
    const c = await seedCase(t.db);
    const config = loadConfig(
      { db: t.file },
      { CASEGATE_DOMAIN: DOMAIN, CASEGATE_SMTP_URL: smtp.url, CASEGATE_DISPATCH_INTERVAL_MS: '20' },
    );
    const dispatcher = createDispatcher({ db: t.db, config });
    dispatcher.start();
    const first = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'bob@customer.test' });
    await smtp.waitForAccepted(1);
    const second = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'carol@customer.test' });
    await smtp.waitForAccepted(2);
    await dispatcher.stop();
    expect((await outboxRow(t.db, first.id)).status).toBe('sent');
    expect((await outboxRow(t.db, second.id)).status).toBe('sent');
    expect(dispatcher.totals()).toMatchObject({ sent: 2 });
  });

  it('a failed pass is logged and the loop goes on', async () => {
    smtp = await startCaptureServer();
    const c = await seedCase(t.db);
    const config = loadConfig(
      { db: t.file },
      { CASEGATE_DOMAIN: DOMAIN, CASEGATE_SMTP_URL: smtp.url, CASEGATE_DISPATCH_INTERVAL_MS: '20' },
    );
    const logged: string[] = [];
    // The first pass breaks: the outbox table is briefly renamed away.
    await execSql(t.db, 'ALTER TABLE outbox RENAME TO outbox_away');
    const dispatcher = createDispatcher({ db: t.db, config, log: (l) => logged.push(l) });
    dispatcher.start();
    const until = Date.now() + 5000;
    while (logged.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    await execSql(t.db, 'ALTER TABLE outbox_away RENAME TO outbox');
    const row = await seedOutbox(t.db, { caseId: c.id, kind: 'case-created', recipient: 'bob@customer.test' });
    await smtp.waitForAccepted(1);
    await dispatcher.stop();
    expect(logged[0]).toMatch(/pass failed/);
    expect((await outboxRow(t.db, row.id)).status).toBe('sent');
  });
});
