// serve's sender authentication thread (src/ingest/authThread.ts, CASEGATE_AUTH_THREAD, on by
// default): for the same message it decides what the check in the main thread decides (auth.ts:
// the same code, fed the same bytes), a message larger than one piece included; a thread that dies
// fails the checks it held (the message is answered 451 and sent again) and one that stops
// answering gives "no result" after its deadline; either way the next message gets a new thread.
// Real DNS server on loopback (test/helpers/dns.ts), real DKIM signatures made here.
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { dkimSign } from 'mailauth';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { startSenderAuth } from '../../src/ingest/auth.js';
import { createAuthThread, FLUSH_BYTES, type AuthThread } from '../../src/ingest/authThread.js';
import { batcher } from '../../src/ingest/batcher.js';
import type { Envelope } from '../../src/ingest/envelope.js';
import { startDns, type DnsServer } from '../helpers/dns.js';
import { mail } from '../helpers/smtp.js';
import { tempDir } from '../helpers/tempDir.js';

const failingEntry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/authWorkerThatFails.mjs');
const keys = generateKeyPairSync('rsa', { modulusLength: 1024 });
const privateKey = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicKey = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

const ANN = 'ann@acme.example';
const EVE = 'eve@evil.example';
const CASE = 'case+abcdefghijklmnopqrstuvwx@support.example';

let dns: DnsServer;
let config: Config;
let thread: AuthThread | undefined;
const temp = tempDir('auth-thread');
beforeAll(async () => {
  dns = await startDns({
    'acme.example': [{ type: 'TXT', value: 'v=spf1 ip4:192.0.2.1 -all' }],
    'sel._domainkey.acme.example': [{ type: 'TXT', value: `v=DKIM1; k=rsa; p=${publicKey}` }],
    '_dmarc.acme.example': [{ type: 'TXT', value: 'v=DMARC1; p=reject' }],
    'evil.example': [{ type: 'TXT', value: 'v=spf1 ip4:127.0.0.1 -all' }],
  });
  config = loadConfig({}, { CASEGATE_SENDER_AUTH: 'enforce', CASEGATE_DNS_SERVERS: dns.address, CASEGATE_DOMAIN: 'support.example' });
});
afterAll(async () => {
  await dns.close();
  temp.cleanup();
});
afterEach(async () => {
  await thread?.stop();
  thread = undefined;
  delete process.env.AUTH_THREAD_FAILS;
  delete process.env.AUTH_THREAD_FAILED_MARK;
});

const envelope = (mailFrom: string): Envelope => ({ mailFrom, rcpt: [CASE], client: { ip: '127.0.0.1', helo: 'mail.evil.example' } });

async function signed(raw: string): Promise<string> {
  const r = await dkimSign(raw, { signatureData: [{ signingDomain: 'acme.example', selector: 'sel', privateKey }] } as Parameters<typeof dkimSign>[1]);
  expect(r.errors).toEqual([]);
  return r.signatures + raw;
}

/** The message as a socket brings it: pieces of `size` bytes. */
const pieces = (raw: string, size = 16 * 1024): Readable => {
  const bytes = Buffer.from(raw);
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return Readable.from(out);
};

const inMainThread = (raw: string, from: string, c: Config = config) => startSenderAuth(c, envelope(from), pieces(raw))?.result();

describe('the sender authentication thread', () => {
  it('decides what the main thread decides: a forged From, the same mail signed, and a signed message of many pieces', async () => {
    thread = createAuthThread(config);
    const forged = mail({ from: ANN, to: CASE });
    const good = await signed(mail({ from: ANN, to: CASE }));
    // Five pieces for the thread (FLUSH_BYTES each), in order, or the body hash would not match.
    const large = await signed(mail({ from: ANN, to: CASE, body: 'Line of the log.\r\n'.repeat(Math.ceil((FLUSH_BYTES * 4.5) / 18)) }));
    const tampered = large.replace('Line of the log.\r\nLine', 'Line of the log.\r\nLinE');
    for (const raw of [forged, good, large, tampered]) {
      const here = await inMainThread(raw, EVE);
      const there = await thread.start(envelope(EVE), pieces(raw))?.result();
      expect(there).toEqual(here);
    }
    expect(await thread.start(envelope(EVE), pieces(forged))?.result()).toMatchObject({ dmarc: 'fail', spf: 'pass', dkim: 'none', policy: 'reject', source: 'lookup' });
    expect(await thread.start(envelope(EVE), pieces(large))?.result()).toMatchObject({ dmarc: 'pass', dkim: 'pass' });
    const changed = await thread.start(envelope(EVE), pieces(tampered))?.result();
    expect(changed).toMatchObject({ dmarc: 'fail' });
    expect(changed?.dkim).not.toBe('pass');
  });

  it("takes the trusted relay's header without a lookup, and starts nothing with sender authentication off", async () => {
    const trusting = loadConfig({}, { CASEGATE_SENDER_AUTH: 'enforce', CASEGATE_DNS_SERVERS: dns.address, CASEGATE_TRUSTED_AUTHSERV_ID: 'mx.support.example' });
    thread = createAuthThread(trusting);
    const relayed = mail({ from: ANN, to: CASE, headers: { 'Authentication-Results': 'mx.support.example; spf=pass smtp.mailfrom=acme.example; dkim=pass header.d=acme.example; dmarc=pass header.from=acme.example' } });
    const asked = dns.queries.length;
    expect(await thread.start(envelope(ANN), pieces(relayed))?.result()).toEqual({ dmarc: 'pass', spf: 'pass', dkim: 'pass', source: 'trusted-relay' });
    expect(dns.queries.length).toBe(asked);
    const off = createAuthThread(loadConfig({}, { CASEGATE_SENDER_AUTH: 'off' }));
    expect(off.start(envelope(ANN), pieces(relayed))).toBeNull();
    await off.stop();
  });

  it('fails the checks of a thread that dies, and checks the next message on a new thread', async () => {
    process.env.AUTH_THREAD_FAILED_MARK = path.join(temp.dir, 'died');
    process.env.AUTH_THREAD_FAILS = 'exit';
    thread = createAuthThread(config, { entry: failingEntry });
    const raw = mail({ from: ANN, to: CASE });
    await expect(thread.start(envelope(EVE), pieces(raw))?.result()).rejects.toThrow(/sender authentication thread stopped \(exit code 1\); the message was not taken, send it again/);
    expect(await thread.start(envelope(EVE), pieces(raw))?.result()).toMatchObject({ dmarc: 'fail', spf: 'pass', source: 'lookup' });
  });

  it('gives "no result" when the thread stops answering, ends it, and checks the next message on a new thread', async () => {
    process.env.AUTH_THREAD_FAILED_MARK = path.join(temp.dir, 'hung');
    process.env.AUTH_THREAD_FAILS = 'hang';
    // Long enough for a new thread to load mailauth on a busy machine, short for a test.
    thread = createAuthThread(config, { entry: failingEntry, deadlineMs: 3000 });
    const raw = mail({ from: ANN, to: CASE });
    expect(await thread.start(envelope(EVE), pieces(raw))?.result()).toEqual({ dmarc: 'temperror', spf: 'temperror', dkim: 'temperror', source: 'lookup' });
    expect(fs.existsSync(path.join(temp.dir, 'hung'))).toBe(true);
    expect(await thread.start(envelope(EVE), pieces(raw))?.result()).toMatchObject({ dmarc: 'fail', spf: 'pass', source: 'lookup' });
  });

  it('drops a message that will not be taken and goes on with the next', async () => {
    thread = createAuthThread(config);
    const source = new Readable({ read() {} });
    const run = thread.start(envelope(EVE), source);
    source.push(Buffer.from(mail({ from: ANN, to: CASE }).slice(0, 100)));
    run?.abort();
    source.push(null);
    expect(await thread.start(envelope(EVE), pieces(mail({ from: ANN, to: CASE })))?.result()).toMatchObject({ dmarc: 'fail' });
  });
});

describe('batcher: what one turn of the event loop queues leaves in one post', () => {
  it('in order, with the buffers it moves; what is queued after the post goes in the next', async () => {
    const posts: Array<{ items: string[]; transfer: ArrayBuffer[] }> = [];
    const out = batcher<string>((items, transfer) => posts.push({ items, transfer }));
    const a = new ArrayBuffer(4);
    const b = new ArrayBuffer(8);
    out.send('first', a);
    out.send('abort');
    out.send('second', b);
    expect(posts).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(posts).toHaveLength(1);
    expect(posts[0]?.items).toEqual(['first', 'abort', 'second']);
    expect(posts[0]?.transfer[0]).toBe(a);
    expect(posts[0]?.transfer[1]).toBe(b);
    out.send('third');
    await new Promise((resolve) => setImmediate(resolve));
    expect(posts.map((p) => p.items)).toEqual([['first', 'abort', 'second'], ['third']]);
    expect(posts[1]?.transfer).toEqual([]);
  });
});
