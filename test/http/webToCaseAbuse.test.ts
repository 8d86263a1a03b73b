// Web-to-Case against hostile posts (issue 26: findings 4, 6 and 9, and "what held"), over real
// HTTP on 127.0.0.1: uploads streamed to the blob store and stopped at the limit, attachment types
// that could forge a message, control characters and encoded words, forms past the parser's
// counts, file names, and a per-IP limit that X-Forwarded-For does not move.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../src/outbound/dispatcher.js';
import { addRule } from '../../src/admin/rules.js';
import { createUser } from '../../src/admin/users.js';
import { ANN, showCase } from '../helpers/seed.js';
import { startHttp, type HttpGateway } from '../helpers/http.js';
import { inTx, query } from '../helpers/testDb.js';

let g: HttpGateway | undefined;
const start = async (env: Record<string, string> = {}): Promise<HttpGateway> => {
  g = await startHttp(env);
  return g;
};
afterEach(async () => {
  await g?.close();
  g = undefined;
});

const ok = { name: 'Ann Archer', email: ANN, subject: 'Printer on floor 2', description: 'It prints blank pages.' };
interface Upload {
  name: string;
  type: string;
  data: Buffer | string;
}

async function submit(gw: HttpGateway, fields: Record<string, string>, files: Upload[] = [], headers: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append('attachments', new Blob([f.data], { type: f.type }), f.name);
  const res = await fetch(`${gw.base}/web-to-case`, { method: 'POST', body: form, headers });
  return { status: res.status, html: await res.text() };
}

const caseNumberIn = (html: string): string => /id="case-number">(\d{8})</.exec(html)?.[1] ?? '';
const webCases = async (gw: HttpGateway): Promise<number> => ((await query(gw.db, "SELECT count(*) AS n FROM cases WHERE origin = 'Web'"))[0] as { n: number }).n;
/** Every file under the blob store, temp files included. */
const blobFiles = (gw: HttpGateway): string[] => {
  const dir = path.join(gw.dir, 'blobs');
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : [];
};

/** The pieces of a multipart/form-data body, written by hand so that the test decides when it ends. */
function multipart(boundary: string, fields: Record<string, string>, files: Upload[]): { parts: Buffer[]; end: Buffer } {
  const parts = [
    ...Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)),
    ...files.map((f) =>
      Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n`),
        Buffer.from(f.data),
        Buffer.from('\r\n'),
      ]),
    ),
  ];
  return { parts, end: Buffer.from(`--${boundary}--\r\n`) };
}

describe('uploads are streamed to the blob store and stopped at the limit (finding 4)', () => {
  it('answers 413 while the client is still sending, once the files pass the limit together, and keeps no file of the form', async () => {
    const gw = await start({ CASEGATE_MAX_MESSAGE_BYTES: '2048' });
    const boundary = 'casegate-test-boundary';
    const { parts } = multipart(boundary, ok, [
      { name: 'p1.bin', type: 'application/octet-stream', data: Buffer.alloc(1500, 1) },
      { name: 'p2.bin', type: 'application/octet-stream', data: Buffer.alloc(1500, 2) },
    ]);
    // Chunked, no Content-Length, and the body is never ended: only the running total can stop it.
    const req = http.request(`${gw.base}/web-to-case`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' } });
    req.on('error', () => undefined);
    try {
      const answered = new Promise<{ status: number; html: string }>((resolve) => {
        req.on('response', (res) => {
          let html = '';
          res.on('data', (c: Buffer) => (html += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, html }));
        });
      });
      for (const p of parts) req.write(p);
      const timeout = new Promise<'no answer while the body was still open'>((resolve) => setTimeout(() => resolve('no answer while the body was still open'), 5000).unref());
      const r = await Promise.race([answered, timeout]);
      expect(r).toMatchObject({ status: 413 });
      expect((r as { html: string }).html).toMatch(/id="attachments-error">The attachments are larger than 2048 bytes in all/);
    } finally {
      req.destroy();
    }
    expect(await webCases(gw)).toBe(0);
    // p1 was stored as it arrived, then let go with the refusal; p2 never became a file.
    expect(blobFiles(gw)).toEqual([]);
  });

  it('refuses a declared Content-Length past any form within the limits at once, storing nothing', async () => {
    const gw = await start({ CASEGATE_MAX_MESSAGE_BYTES: '2048' });
    const r = await submit(gw, ok, [{ name: 'big.bin', type: 'application/octet-stream', data: Buffer.alloc(8 * 1024 * 1024, 7) }]);
    expect(r.status).toBe(413);
    expect(r.html).toContain('id="attachments-error"');
    expect(blobFiles(gw)).toEqual([]);
    // The connection is still good for the next request.
    expect((await submit(gw, ok)).status).toBe(200);
  });
});

describe('attachment types that are not plain leaves are kept as application/octet-stream (finding 6)', () => {
  it('message/rfc822, multipart/* and malformed types become octet-stream, in the store and in the notification; leaf types stay', async () => {
    // The case owner is notified of the first comment, with its attachments.
    const gw = await start();
    await inTx(gw.db, createUser, { email: 'sam@support.example', name: 'Sam Agent' });
    await inTx(gw.db, addRule, { owner: 'sam@support.example', subjectContains: 'Printer' });
    const forged = 'From: ceo@acme.example\r\nSubject: wire the money\r\n\r\nPlease wire it today.\r\n';
    const r = await submit(gw, ok, [
      { name: 'forged.eml', type: 'message/rfc822', data: forged },
      { name: 'mixed.bin', type: 'multipart/mixed; boundary=zz', data: '--zz\r\n\r\nhi\r\n--zz--\r\n' },
      { name: 'weird.bin', type: 'not a type', data: 'x' },
      { name: 'photo.png', type: 'image/png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
      { name: 'notes.txt', type: 'text/plain', data: 'notes' },
    ]);
    expect(r.status).toBe(200);
    const c = await showCase(gw.db, gw.config, caseNumberIn(r.html));
    expect(c.comments[0]?.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['forged.eml', 'application/octet-stream'],
      ['mixed.bin', 'application/octet-stream'],
      ['weird.bin', 'application/octet-stream'],
      ['photo.png', 'image/png'],
      ['notes.txt', 'text/plain'],
    ]);
    const dispatcher = createDispatcher({ db: gw.db, config: gw.config, log: () => undefined });
    try {
      await dispatcher.runOnce();
    } finally {
      await dispatcher.stop();
    }
    const sent = fs.readdirSync(gw.config.outboxDir).map((f) => fs.readFileSync(path.join(gw.config.outboxDir, f), 'utf8'));
    const mail = sent.find((m) => m.includes('To: sam@support.example'));
    expect(mail, `a notification with the attachments among ${sent.length}: ${sent.map((m) => m.slice(0, 300)).join('\n----\n')}`).toBeDefined();
    expect(mail).not.toMatch(/Content-Type: message\/rfc822/i);
    expect(mail).not.toMatch(/Content-Type: multipart\/mixed; boundary=zz/i);
    expect(mail).toMatch(/Content-Type: application\/octet-stream; name=forged\.eml/i);
  });
});

describe('what the form takes: control characters, encoded words, too many fields (finding 9)', () => {
  it('refuses NUL in the subject and a control character in the name, and keeps tabs and line breaks in the description', async () => {
    const gw = await start();
    const r = await submit(gw, { ...ok, name: 'Ann\u001b[2J', subject: 'Printer\u0000 jammed' });
    expect(r.status).toBe(400);
    expect(r.html).toContain('<p class="error" id="subject-error">The subject holds an invisible control character');
    expect(r.html).toContain('<p class="error" id="name-error">Your name holds an invisible control character');
    expect(await webCases(gw)).toBe(0);
    const kept = await submit(gw, { ...ok, description: 'Steps:\r\n\t1. print\r\n\t2. blank' });
    expect(kept.status).toBe(200);
    expect((await showCase(gw.db, gw.config, caseNumberIn(kept.html))).description).toBe('Steps:\r\n\t1. print\r\n\t2. blank');
  });

  it('refuses an address made of an encoded word', async () => {
    const gw = await start();
    const r = await submit(gw, { ...ok, email: '=?utf-8?q?ann?=@evil.example' });
    expect(r.status).toBe(400);
    expect(r.html).toContain('id="email-error"');
    expect(await webCases(gw)).toBe(0);
  });

  it('answers a form of 100 fields with what is wrong: too many fields, not attachments too large', async () => {
    const gw = await start();
    const fields: Record<string, string> = { ...ok };
    for (let i = 0; i < 95; i++) fields[`extra${i}`] = 'x';
    const r = await submit(gw, fields);
    expect(r.status).toBe(413);
    expect(r.html).toContain('<p id="form-error">The form was sent with more than 20 fields; this form has 5. Send it from this page.</p>');
    expect(r.html).not.toContain('attachments are larger');
    expect(await webCases(gw)).toBe(0);
  });
});

describe('limits that held (what held)', () => {
  it('more than 40 parts, or more than 20 files, are refused saying which, and nothing is kept', async () => {
    const gw = await start();
    const files = (n: number): Upload[] => Array.from({ length: n }, (_, i) => ({ name: `f${i}.txt`, type: 'text/plain', data: `file ${i}` }));
    const fields: Record<string, string> = { ...ok };
    for (let i = 0; i < 16; i++) fields[`extra${i}`] = 'x';
    // 20 fields, then 20 files, then one field more: the 41st part.
    const boundary = 'parts-boundary';
    const { parts, end } = multipart(boundary, fields, files(20));
    const body = Buffer.concat([...parts, Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="one-more"\r\n\r\nx\r\n`), end]);
    const res = await fetch(`${gw.base}/web-to-case`, { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('The form was sent in more than 40 parts');
    const many = await submit(gw, ok, files(21));
    expect(many.status).toBe(413);
    expect(many.html).toContain('You can attach at most 20 files');
    expect(await webCases(gw)).toBe(0);
    expect(blobFiles(gw)).toEqual([]);
  });

  it('keeps only the base name of a file, without control characters, and never uses it as a path', async () => {
    const gw = await start();
    const boundary = 'names-boundary';
    const { parts, end } = multipart(boundary, ok, [
      { name: '../../../etc/passwd', type: 'text/plain', data: 'a' },
      { name: 'C:\\Users\\ann\\report.txt', type: 'text/plain', data: 'b' },
      { name: '..', type: 'text/plain', data: 'c' },
      { name: 'bell\u0007.txt', type: 'text/plain', data: 'd' },
    ]);
    const res = await fetch(`${gw.base}/web-to-case`, { method: 'POST', body: Buffer.concat([...parts, end]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(res.status).toBe(200);
    const c = await showCase(gw.db, gw.config, caseNumberIn(await res.text()));
    expect(c.comments[0]?.attachments.map((a) => a.filename)).toEqual(['passwd', 'report.txt', 'attachment', 'bell.txt']);
    // Files are stored by content hash only.
    expect(blobFiles(gw).every((name) => /^[0-9a-f]{64}$/.test(name))).toBe(true);
  });

  it('a field named __proto__ gets 400 and the form again, not a server error', async () => {
    const gw = await start();
    const boundary = 'proto-boundary';
    const { parts, end } = multipart(boundary, ok, []);
    const body = Buffer.concat([...parts, Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="__proto__"\r\n\r\nx\r\n`), end]);
    const res = await fetch(`${gw.base}/web-to-case`, { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('The form was sent with a field this form does not have');
    expect(await webCases(gw)).toBe(0);
  });

  it('counts the per-IP limit by the connection, not by X-Forwarded-For', async () => {
    const gw = await start({ CASEGATE_WEB_RATE_LIMIT: '2' });
    const statuses: number[] = [];
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) statuses.push((await submit(gw, ok, [], { 'x-forwarded-for': ip, 'x-real-ip': ip })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(await webCases(gw)).toBe(2);
  });
});
