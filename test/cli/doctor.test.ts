// `casegate doctor` against a loopback DNS server whose zones are complete, then each missing or
// wrong in one way (the failing line names that record), and against a relay that is down or
// lacks STARTTLS. The zones are those of a desk that sends as support@example.test, takes replies
// at cases.example.test, and whose relay leaves from 192.0.2.25.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runDoctor, type DoctorReport } from '../../src/doctor/run.js';
import { dkimRecordValue } from '../../src/domain/dnsRecords.js';
import { generateDkimKey } from '../../src/outbound/dkim.js';
import { startCaptureServer, type CaptureServer } from '../helpers/capture.js';
import { newTestDb, type TestDb } from '../helpers/cli.js';
import { startDns, type DnsRecord, type DnsServer } from '../helpers/dns.js';

const SENDING_IP = '192.0.2.25';
const KEY_NAME = 'casegate._domainkey.example.test';

let t: TestDb;
let dns: DnsServer;
let relay: CaptureServer;
let env: Record<string, string>;
let ours: string;
let other: string;

/** Every record the desk needs, right. */
function complete(): Record<string, DnsRecord[]> {
  return {
    'cases.example.test': [
      { type: 'MX', value: 'mx.example.test', priority: 10 },
      { type: 'TXT', value: `v=spf1 ip4:${SENDING_IP} -all` },
    ],
    [KEY_NAME]: [{ type: 'TXT', value: ours }],
    '_dmarc.example.test': [{ type: 'TXT', value: 'v=DMARC1; p=reject; rua=mailto:dmarc@example.test' }],
  };
}

/** The complete zones with one name's records replaced (undefined: the name removed). */
function withChange(name: string, records: DnsRecord[] | undefined): Record<string, DnsRecord[]> {
  const zones = complete();
  if (records === undefined) delete zones[name];
  else zones[name] = records;
  return zones;
}

beforeAll(async () => {
  t = await newTestDb();
  const key = generateDkimKey(2048);
  const keyFile = path.join(t.dir, 'dkim.pem');
  fs.writeFileSync(keyFile, key.privateKey, { mode: 0o600 });
  ours = dkimRecordValue(key.publicKey);
  other = dkimRecordValue(generateDkimKey(1024).publicKey);
  dns = await startDns(complete());
  relay = await startCaptureServer();
  env = {
    CASEGATE_DNS_SERVERS: dns.address,
    CASEGATE_DOMAIN: 'cases.example.test',
    CASEGATE_FROM: 'support@example.test',
    CASEGATE_SMTP_URL: relay.url,
    CASEGATE_DKIM_KEY: keyFile,
    CASEGATE_DKIM_SELECTOR: 'casegate',
    CASEGATE_MIN_FREE_BYTES: '1024',
  };
});
afterAll(async () => {
  await relay?.close();
  await dns?.close();
  t?.cleanup();
});

/** runDoctor in this process with the zones given (a new config: no answer cached from another test). */
async function doctor(zones: Record<string, DnsRecord[]>, change: Record<string, string> = {}): Promise<DoctorReport> {
  dns.setRecords(zones);
  return runDoctor(loadConfig({ db: t.db }, { ...env, ...change }), { sendingIp: SENDING_IP, relayTimeoutMs: 3000 });
}

/** The lines that failed, by check; every other check passed. */
function failures(report: DoctorReport): Record<string, string> {
  return Object.fromEntries(report.checks.filter((c) => !c.ok).map((c) => [c.check, c.detail]));
}

describe('complete zones, a relay that answers, a database that opens', () => {
  it('prints one ok line per check and exits 0', async () => {
    dns.setRecords(complete());
    const r = await t.runWith(['doctor', '--sending-ip', SENDING_IP], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'ok mx',
      'ok spf',
      'ok dkim',
      'ok dmarc',
      'ok relay',
      'ok database',
      'ok disk',
      'ok public-url',
      'all checks',
    ]);
    expect(lines.at(-1)).toBe('all checks passed');
    expect(r.stdout).toContain('cases.example.test MX 10 mx.example.test');
    expect(r.stdout).toContain(`SPF of cases.example.test (envelope sender of notifications) passes for ${SENDING_IP}`);
    expect(r.stdout).toContain(`${KEY_NAME} publishes the public half of CASEGATE_DKIM_KEY (RSA 2048 bits)`);
    expect(r.stdout).toMatch(/_dmarc of example\.test \(p=reject\) passes for CASEGATE_FROM support@example\.test, aligned through DKIM and SPF/);
  });
});

describe('each record missing or wrong: that line fails and names the record, the others pass', () => {
  it('no MX for the case domain', async () => {
    expect(failures(await doctor(withChange('cases.example.test', [complete()['cases.example.test']![1]!])))).toEqual({
      mx: expect.stringMatching(/^no MX record for cases\.example\.test \(CASEGATE_DOMAIN\).*publish "cases\.example\.test\. IN MX 10 /),
    });
  });

  it('no SPF record for the envelope domain', async () => {
    const f = failures(await doctor(withChange('cases.example.test', [{ type: 'MX', value: 'mx.example.test' }])));
    expect(Object.keys(f)).toEqual(['spf']);
    expect(f.spf).toMatch(/^no SPF record at cases\.example\.test, .*publish TXT "v=spf1 ip4:192\.0\.2\.25 -all"/);
  });

  it('an SPF record that does not cover the sending address', async () => {
    const f = failures(
      await doctor(withChange('cases.example.test', [{ type: 'MX', value: 'mx.example.test' }, { type: 'TXT', value: 'v=spf1 ip4:198.51.100.7 -all' }])),
    );
    expect(Object.keys(f)).toEqual(['spf']);
    expect(f.spf).toMatch(/^SPF of cases\.example\.test does not pass for the sending address 192\.0\.2\.25: fail; record "v=spf1 ip4:198\.51\.100\.7 -all": add ip4:192\.0\.2\.25/);
  });

  it('no DKIM record: DMARC still passes through SPF, relaxed', async () => {
    expect(failures(await doctor(withChange(KEY_NAME, undefined)))).toEqual({
      dkim: expect.stringMatching(/^no DKIM record at casegate\._domainkey\.example\.test, .*publish casegate\._domainkey\.example\.test\. IN TXT \( "v=DKIM1; k=rsa; p=/),
    });
  });

  it('a DKIM record of another key', async () => {
    expect(failures(await doctor(withChange(KEY_NAME, [{ type: 'TXT', value: other }])))).toEqual({
      dkim: expect.stringMatching(/^the key published at casegate\._domainkey\.example\.test is not the public half of CASEGATE_DKIM_KEY/),
    });
  });

  it('no DMARC record', async () => {
    expect(failures(await doctor(withChange('_dmarc.example.test', undefined)))).toEqual({
      dmarc: expect.stringMatching(/^no DMARC record at _dmarc\.example\.test, .*publish TXT "v=DMARC1; p=none; rua=mailto:postmaster@example\.test"/),
    });
  });

  it('DMARC with strict SPF alignment while DKIM is missing: alignment does not hold', async () => {
    const zones = withChange(KEY_NAME, undefined);
    zones['_dmarc.example.test'] = [{ type: 'TXT', value: 'v=DMARC1; p=quarantine; aspf=s' }];
    const f = failures(await doctor(zones));
    expect(Object.keys(f)).toEqual(['dkim', 'dmarc']);
    expect(f.dmarc).toMatch(/^DMARC of example\.test \("v=DMARC1; p=quarantine; aspf=s", p=quarantine\) would fail our notifications: .*the envelope domain cases\.example\.test is not aligned with example\.test \(aspf=s/);
  });
});

describe('the relay, the database, the disk', () => {
  it('a relay that is down', async () => {
    const down = await startCaptureServer();
    const url = down.url;
    await down.close();
    expect(failures(await doctor(complete(), { CASEGATE_SMTP_URL: url }))).toEqual({
      relay: expect.stringMatching(/^the relay at 127\.0\.0\.1:\d+ refused the connection: start it, or correct the host and port of CASEGATE_SMTP_URL$/),
    });
  });

  it('a relay without STARTTLS when the URL asks for it', async () => {
    expect(failures(await doctor(complete(), { CASEGATE_SMTP_URL: `${relay.url}?requireTLS=true` }))).toEqual({
      relay: expect.stringMatching(/^the relay at 127\.0\.0\.1:\d+ does not offer STARTTLS, which CASEGATE_SMTP_URL asks for/),
    });
  });

  it('a database that does not exist is reported, not created', async () => {
    const missing = path.join(t.dir, 'nothing-here.db');
    dns.setRecords(complete());
    const report = await runDoctor(loadConfig({ db: missing }, env), { sendingIp: SENDING_IP });
    expect(failures(report)).toEqual({ database: `the database ${missing} does not exist: run "casegate --db ${missing} init"` });
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('free space under the threshold, in --json, exit 1', async () => {
    dns.setRecords(complete());
    const r = await t.runWith(['doctor', '--sending-ip', SENDING_IP, '--json'], { env: { ...env, CASEGATE_MIN_FREE_BYTES: String(Number.MAX_SAFE_INTEGER) } });
    expect(r.code).toBe(1);
    const report = r.json<DoctorReport>();
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => c.check)).toEqual(['mx', 'spf', 'dkim', 'dmarc', 'relay', 'database', 'disk', 'public-url']);
    expect(failures(report)).toEqual({ disk: expect.stringMatching(/ GiB free for .*, under CASEGATE_MIN_FREE_BYTES .* so new mail gets 452: free some space$/) });
  });

  it('with HTTP on, a public URL only this machine can open fails; a real one passes', async () => {
    const loop = await doctor(complete(), { CASEGATE_HTTP_PORT: '8080' });
    expect(failures(loop)).toEqual({ 'public-url': expect.stringMatching(/point to http:\/\/127\.0\.0\.1:8080, which only this machine can open: set CASEGATE_PUBLIC_URL/) });
    const real = await doctor(complete(), { CASEGATE_HTTP_PORT: '8080', CASEGATE_PUBLIC_URL: 'https://support.example.test/' });
    expect(real.ok, JSON.stringify(failures(real))).toBe(true);
    expect(real.checks.at(-1)?.detail).toBe('portal and one-click links point to https://support.example.test');
  });
});
