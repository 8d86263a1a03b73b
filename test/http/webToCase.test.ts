// Web-to-Case over real HTTP on 127.0.0.1 (SPEC §8): the form, a case by the rules of mail,
// messages by field, attachments bounded by the mail size limit, the honeypot, the per-IP and
// daily limits.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ANN, showCase } from '../helpers/seed.js';
import { startHttp, type HttpGateway } from '../helpers/http.js';
import { query } from '../helpers/testDb.js';

let g: HttpGateway | undefined;
const start = async (env: Record<string, string> = {}): Promise<HttpGateway> => {
  g = await startHttp(env);
  return g;
};
afterEach(async () => {
  await g?.close();
  g = undefined;
});

interface Submission {
  name?: string;
  email?: string;
  subject?: string;
  description?: string;
  website?: string;
  files?: Array<{ name: string; type: string; data: Buffer | string }>;
}

async function submit(gw: HttpGateway, s: Submission): Promise<{ status: number; html: string; headers: Headers }> {
  const form = new FormData();
  for (const key of ['name', 'email', 'subject', 'description', 'website'] as const) {
    if (s[key] !== undefined) form.append(key, s[key] as string);
  }
  for (const f of s.files ?? []) form.append('attachments', new Blob([f.data], { type: f.type }), f.name);
  const res = await fetch(`${gw.base}/web-to-case`, { method: 'POST', body: form });
  return { status: res.status, html: await res.text(), headers: res.headers };
}

const ok = { name: 'Ann Archer', email: ANN, subject: 'Printer on floor 2', description: 'It prints blank pages.' };
const caseNumberIn = (html: string): string => /id="case-number">(\d{8})</.exec(html)?.[1] ?? '';
const webCases = async (gw: HttpGateway): Promise<unknown> => (await query(gw.db, "SELECT count(*) AS n FROM cases WHERE origin = 'Web'"))[0];

describe('GET /web-to-case', () => {
  it('is a plain form: a label for every field, multipart, no script, a hidden honeypot', async () => {
    const gw = await start();
    const res = await fetch(`${gw.base}/web-to-case`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    for (const id of ['name', 'email', 'subject', 'description', 'attachments']) {
      expect(html).toContain(`<label for="${id}">`);
      expect(html).toMatch(new RegExp(`id="${id}" name="${id}"`));
    }
    expect(html).toContain('enctype="multipart/form-data"');
    expect(html).not.toContain('<script');
    expect(html).toMatch(/<div class="trap" aria-hidden="true">.*name="website".*tabindex="-1"/);
  });
});

describe('POST /web-to-case', () => {
  it('opens a case with origin Web for the contact of the email, keeps the attachment and queues "case created"', async () => {
    const gw = await start();
    const r = await submit(gw, { ...ok, files: [{ name: 'error.txt', type: 'text/plain', data: 'E42 paper path' }] });
    expect(r.status).toBe(200);
    const number = caseNumberIn(r.html);
    expect(number).toMatch(/^\d{8}$/);
    const c = await showCase(gw.db, gw.config, number);
    expect(c).toMatchObject({ origin: 'Web', subject: 'Printer on floor 2', description: 'It prints blank pages.', contact: { email: ANN }, account: 1, priority: 'Medium' });
    expect(c.comments).toEqual([
      expect.objectContaining({ author: ANN, body: 'It prints blank pages.', source: 'web', internal: false, attachments: [expect.objectContaining({ filename: 'error.txt', contentType: 'text/plain', size: 14 })] }),
    ]);
    expect((await query(gw.db, 'SELECT recipient, kind FROM outbox WHERE case_id = ?', [c.id]))).toEqual([{ recipient: ANN, kind: 'case-created' }]);
  });

  it('leaves an unknown sender unlinked with the supplied email, or creates the contact when the web setting says so', async () => {
    const gw = await start();
    const r = await submit(gw, { ...ok, name: 'Zoe Zed', email: 'zoe@new.example' });
    const c = await showCase(gw.db, gw.config, caseNumberIn(r.html));
    expect(c.contact).toBeNull();
    expect(c.suppliedEmail).toBe('zoe@new.example');
    await gw.close();
    const made = await start({ CASEGATE_WEB_CREATE_CONTACTS: 'on' });
    const again = await showCase(made.db, made.config, caseNumberIn((await submit(made, { ...ok, name: 'Zoe Zed', email: 'zoe@new.example' })).html));
    expect(again.contact).toMatchObject({ email: 'zoe@new.example', name: 'Zoe Zed' });
  });

  it('answers bad input with the form again: a message by field, tied to it, the values kept and escaped, no case', async () => {
    const gw = await start();
    const r = await submit(gw, { name: '<b>Ann</b>', email: 'not an address', subject: '', description: 'kept' });
    expect(r.status).toBe(400);
    expect(r.html).toContain('aria-invalid="true" aria-describedby="email-error"');
    expect(r.html).toContain('<p class="error" id="email-error">Enter an email address like name@example.com.</p>');
    expect(r.html).toContain('<p class="error" id="subject-error">Enter a subject');
    expect(r.html).not.toContain('id="name-error"');
    expect(r.html).toContain('value="&lt;b&gt;Ann&lt;/b&gt;"');
    expect(r.html).toContain('>kept</textarea>');
    expect(r.html).toMatch(/role="alert".*<a href="#email">/s);
    expect(await webCases(gw)).toEqual({ n: 0 });
  });

  it('refuses attachments over the mail size limit with 413 and keeps nothing, not even the bytes', async () => {
    const gw = await start({ CASEGATE_MAX_MESSAGE_BYTES: '2048' });
    const r = await submit(gw, { ...ok, files: [{ name: 'big.bin', type: 'application/octet-stream', data: Buffer.alloc(4096, 7) }] });
    expect(r.status).toBe(413);
    expect(r.html).toContain('id="attachments-error"');
    expect(await webCases(gw)).toEqual({ n: 0 });
    const blobs = path.join(gw.dir, 'blobs');
    const files = fs.existsSync(blobs) ? fs.readdirSync(blobs, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()) : [];
    expect(files).toEqual([]);
    // Two files that fit one by one but not together are refused too.
    const two = await submit(gw, { ...ok, files: [1, 2].map((i) => ({ name: `p${i}.bin`, type: 'application/octet-stream', data: Buffer.alloc(1500, i) })) });
    expect(two.status).toBe(413);
    expect(await webCases(gw)).toEqual({ n: 0 });
  });

  it('takes a filled honeypot with a thank-you that names no case, and opens none', async () => {
    const gw = await start();
    const r = await submit(gw, { ...ok, website: 'http://spam.example' });
    expect(r.status).toBe(200);
    expect(r.html).toContain('We received your request');
    expect(caseNumberIn(r.html)).toBe('');
    expect(await webCases(gw)).toEqual({ n: 0 });
  });

  it('limits submissions per IP address per hour: then 429 with Retry-After and a page that says so', async () => {
    const gw = await start({ CASEGATE_WEB_RATE_LIMIT: '3' });
    for (let i = 0; i < 3; i++) expect((await submit(gw, ok)).status).toBe(200);
    const r = await submit(gw, ok);
    expect(r.status).toBe(429);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(r.html).toContain('many requests from your network in the last hour');
    expect(await webCases(gw)).toEqual({ n: 3 });
  });

  it('stops at the daily limit of Web cases: then 429 and a page that says so', async () => {
    const gw = await start({ CASEGATE_WEB_DAILY_LIMIT: '2' });
    expect((await submit(gw, ok)).status).toBe(200);
    expect((await submit(gw, ok)).status).toBe(200);
    const r = await submit(gw, ok);
    expect(r.status).toBe(429);
    expect(r.html).toContain('as many requests through this form today as it takes in one day');
    expect(await webCases(gw)).toEqual({ n: 2 });
    // Cases from mail or the CLI do not count against it.
    expect((await query(gw.db, "SELECT count(*) AS n FROM cases WHERE origin <> 'Web'"))[0]).toEqual({ n: 1 });
  });

  it('logs each request in one line', async () => {
    const gw = await start();
    await fetch(`${gw.base}/web-to-case`);
    await submit(gw, { ...ok, email: '' });
    expect(gw.log).toEqual([expect.stringMatching(/^http GET \/web-to-case 200 \d+\.\dms$/), expect.stringMatching(/^http POST \/web-to-case 400 \d+\.\dms$/)]);
  });
});
