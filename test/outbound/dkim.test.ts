// DKIM-signed notifications, verified as a receiver verifies them: mailauth's DKIM verifier looking
// the key up in a loopback DNS server that holds the record `casegate dkim keygen` printed. Both
// transports: the relay gets signed mail, and the .eml files are signed too.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createDispatcher } from '../../src/outbound/dispatcher.js';
import { createSmtpTransport } from '../../src/outbound/transport.js';
import { resolverFor } from '../../src/ingest/auth.js';
import { startCaptureServer, type CaptureServer } from '../helpers/capture.js';
import { runCli } from '../helpers/cli.js';
import { startDns, type DnsServer } from '../helpers/dns.js';
import { DOMAIN, seedCase, seedComment, seedOutbox, tempStore, type TempStore } from '../helpers/seed.js';
import { tempDir } from '../helpers/tempDir.js';

const FROM = 'support@example.test';
const SELECTOR = 'cg2025';

let keys: { dir: string; cleanup(): void };
let keyFile: string;
let dns: DnsServer;
let resolver: ReturnType<typeof resolverFor>;

beforeAll(async () => {
  keys = tempDir('dkim');
  keyFile = path.join(keys.dir, 'dkim.pem');
  const made = await runCli(['dkim', 'keygen', '--out', keyFile, '--selector', SELECTOR, '--json'], { env: { CASEGATE_FROM: FROM } });
  expect(made.code, made.stderr).toBe(0);
  const record = made.json<{ name: string; value: string }>();
  expect(record.name).toBe(`${SELECTOR}._domainkey.example.test`);
  dns = await startDns({ [record.name]: [{ type: 'TXT', value: record.value }] });
  resolver = resolverFor(loadConfig({}, { CASEGATE_DNS_SERVERS: dns.address }));
});
afterAll(async () => {
  await dns?.close();
  keys?.cleanup();
});

let t: TempStore;
let relay: CaptureServer | undefined;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await relay?.close();
  relay = undefined;
  await t.cleanup();
});

function signingConfig(env: Record<string, string>): Config {
  return loadConfig(
    { db: t.file },
    { CASEGATE_DOMAIN: DOMAIN, CASEGATE_FROM: FROM, CASEGATE_DKIM_KEY: keyFile, CASEGATE_DKIM_SELECTOR: SELECTOR, ...env },
  );
}

/** One comment notification, with a non-ASCII body and an attachment, sent through `config`'s transport (or the relay). */
async function sendOne(config: Config): Promise<void> {
  const c = await seedCase(t.db, { subject: 'Drucker im 3. Stock klemmt' });
  const comment = await seedComment(t.db, c.id, {
    body: 'Grüße aus München — the paper tray is jammed again.\n\n> quoted line\n',
    files: [{ filename: 'photo.txt', contentType: 'text/plain', content: Buffer.from('tray\r\nphoto\n') }],
  });
  await seedOutbox(t.db, { caseId: c.id, commentId: comment.id, recipient: 'ann@customer.test' });
  const dispatcher = createDispatcher({ db: t.db, config, transport: config.smtpUrl ? createSmtpTransport(config.smtpUrl) : undefined });
  try {
    expect(await dispatcher.runOnce()).toEqual({ sent: 1, retried: 0, failed: 0, held: 0 });
  } finally {
    await dispatcher.stop();
  }
}

async function verify(raw: Buffer) {
  const result = await dkimVerify(raw, { resolver });
  expect(result.results).toHaveLength(1);
  return result.results[0]!;
}

describe('a notification sent through the relay is DKIM-signed for the domain of CASEGATE_FROM', () => {
  it('passes verification against the published record, relaxed/relaxed, with the thread and reply headers signed', async () => {
    relay = await startCaptureServer();
    await sendOne(signingConfig({ CASEGATE_SMTP_URL: relay.url }));
    const raw = relay.received[0]!.raw;

    const sig = await verify(raw);
    expect(sig.status.result).toBe('pass');
    expect(sig.signingDomain).toBe('example.test');
    expect(sig.selector).toBe(SELECTOR);
    const header = raw.toString('latin1').split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
    expect(header).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=example\.test;/m);
    const signed = (/\bh=([^;]+);/.exec(header)?.[1] ?? '').replace(/\s+/g, '').toLowerCase().split(':');
    for (const name of ['from', 'to', 'subject', 'date', 'message-id', 'in-reply-to', 'references', 'reply-to']) expect(signed).toContain(name);
  });

  it('no longer verifies once the body is changed on the way', async () => {
    relay = await startCaptureServer();
    await sendOne(signingConfig({ CASEGATE_SMTP_URL: relay.url }));
    const raw = relay.received[0]!.raw.toString('latin1');
    const tampered = Buffer.from(raw.replace('the paper tray is jammed again', 'the paper tray is fine, close the case'), 'latin1');
    expect(tampered.equals(relay.received[0]!.raw)).toBe(false);

    // mailauth words a body hash mismatch "neutral" (the signature counts for nothing), never a pass.
    const sig = await verify(tampered);
    expect(sig.status.result).toBe('neutral');
    expect(sig.status.comment).toBe('body hash did not verify');
  });

  it('fails verification once a signed header is changed', async () => {
    relay = await startCaptureServer();
    await sendOne(signingConfig({ CASEGATE_SMTP_URL: relay.url }));
    const tampered = Buffer.from(relay.received[0]!.raw.toString('latin1').replace(/^Reply-To: .*$/m, 'Reply-To: attacker@evil.test'), 'latin1');
    expect((await verify(tampered)).status.result).toBe('fail');
  });
});

describe('an .eml file (no relay configured) is signed as written', () => {
  it('passes verification against the published record', async () => {
    const outbox = path.join(t.dir, 'outbox');
    await sendOne(signingConfig({ CASEGATE_OUTBOX_DIR: outbox }));
    const [name] = fs.readdirSync(outbox);
    const raw = fs.readFileSync(path.join(outbox, name!));
    expect(raw.toString('latin1')).toMatch(/^DKIM-Signature: /);
    expect((await verify(raw)).status.result).toBe('pass');
  });
});

describe('without CASEGATE_DKIM_KEY', () => {
  it('sends unsigned, as before', async () => {
    relay = await startCaptureServer();
    await sendOne(loadConfig({ db: t.file }, { CASEGATE_DOMAIN: DOMAIN, CASEGATE_FROM: FROM, CASEGATE_SMTP_URL: relay.url }));
    expect(relay.received[0]!.raw.toString('latin1')).not.toMatch(/^DKIM-Signature:/im);
  });
});
