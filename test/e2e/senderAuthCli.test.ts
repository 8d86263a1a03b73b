// Sender authentication through the real binary: pipe mode with the client's address from the relay
// (`casegate ingest --client-ip --helo`), what `inbound show` and `case show --json` print, and
// `casegate serve` with its default (enforce) on a machine whose resolver does not answer.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startServe } from '../helpers/cli.js';
import { startDns, type DnsServer } from '../helpers/dns.js';
import { loadConfig } from '../../src/config.js';
import { createContact } from '../../src/admin/contacts.js';
import { ANN, EVE, createCase } from '../helpers/seed.js';
import { mail, sendRaw } from '../helpers/smtp.js';
import { tempDir } from '../helpers/tempDir.js';
import { inTx, newDatabase, openTestDb } from '../helpers/testDb.js';

let dns: DnsServer;
let dir: string;
let db: string;
let caseAddress: string;
const cleanups: Array<() => void> = [];

beforeAll(async () => {
  dns = await startDns({
    'acme.example': [{ type: 'TXT', value: 'v=spf1 ip4:192.0.2.1 -all' }],
    '_dmarc.acme.example': [{ type: 'TXT', value: 'v=DMARC1; p=quarantine' }],
    'evil.example': [{ type: 'TXT', value: 'v=spf1 ip4:198.51.100.7 -all' }],
  });
  return async () => {
    await dns.close();
    for (const c of cleanups) c();
  };
});

beforeEach(async () => {
  const t = tempDir('auth-cli');
  cleanups.push(t.cleanup);
  dir = t.dir;
  db = await newDatabase(dir);
  const config = loadConfig({ db }, {});
  const handle = await openTestDb(db, dir);
  await inTx(handle, createContact, { email: ANN, firstName: 'Ann', lastName: 'Archer' });
  caseAddress = (await createCase(handle, config, { subject: 'Printer on floor 3 is jammed', contact: ANN })).address;
  await handle.close();
  dns.queries.length = 0;
});

const env = (mode = 'enforce') => ({ CASEGATE_SENDER_AUTH: mode, CASEGATE_DNS_SERVERS: dns.address });
const eml = (content: string): string => {
  const p = path.join(dir, `m${Date.now()}.eml`);
  fs.writeFileSync(p, content);
  return p;
};

describe('casegate ingest (pipe mode)', () => {
  it('checks SPF with --client-ip and --helo, and exits 77 for a forged From of a p=quarantine domain', async () => {
    const r = await runCli(['ingest', '--rcpt', caseAddress, '--mail-from', EVE, '--client-ip', '198.51.100.7', '--helo', 'mx.evil.example', eml(mail({ from: ANN }))], { db, env: env() });
    expect(r.code).toBe(77);
    expect(r.stdout).toMatch(/550 5\.7\.1 .*DMARC/);
    const shown = await runCli(['inbound', 'show', '1'], { db });
    expect(shown.stdout).toMatch(/^auth: +dmarc=fail spf=pass dkim=none arc=none policy=quarantine source=lookup$/m);
    expect(dns.queries).toContain('evil.example TXT');
  });

  it('without --client-ip SPF is none and not looked up; record mode stores it on the comment for case show --json', async () => {
    const r = await runCli(['ingest', '--rcpt', caseAddress, '--mail-from', EVE, eml(mail({ from: ANN }))], { db, env: env('record') });
    expect(r.code).toBe(0);
    expect(dns.queries).not.toContain('evil.example TXT');
    const shown = await runCli(['case', 'show', '00001001', '--json'], { db });
    expect(shown.json().comments).toEqual([expect.objectContaining({ auth: { dmarc: 'fail', spf: 'none', dkim: 'none', arc: 'none', policy: 'quarantine', source: 'lookup' } })]);
    const list = await runCli(['inbound', 'list', '--json'], { db });
    expect(list.json()[0].auth).toMatchObject({ dmarc: 'fail' });
  });

  it('a comment from the CLI has no auth', async () => {
    const added = await runCli(['comment', 'add', '00001001', '--body', 'Called the customer.', '--as', ANN], { db });
    expect(added.code).toBe(0);
    const shown = await runCli(['case', 'show', '00001001', '--json'], { db });
    expect(shown.json().comments).toEqual([expect.objectContaining({ source: 'cli', auth: null })]);
  });

  it('refuses an --client-ip that is not an IP address with exit 78 and a message; "unknown" is no address', async () => {
    const bad = await runCli(['ingest', '--rcpt', caseAddress, '--client-ip', 'mx.evil.example', eml(mail({ from: ANN }))], { db, env: env() });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toMatch(/--client-ip "mx\.evil\.example" is not an IP address/);
    const unknown = await runCli(['ingest', '--rcpt', caseAddress, '--mail-from', ANN, '--client-ip', 'unknown', eml(mail({ from: ANN }))], { db, env: env('record') });
    expect(unknown.code).toBe(0);
  });
});

describe('casegate serve with the default mode and a resolver that is not there', () => {
  let served: Awaited<ReturnType<typeof startServe>> | undefined;
  afterAll(async () => served?.stop());

  it('takes mail (no result is no refusal)', async () => {
    // A UDP port nobody listens on: every lookup fails at once, as on a machine without DNS.
    const gone = await startDns({});
    const address = gone.address;
    await gone.close();
    served = await startServe(db, [], { CASEGATE_SENDER_AUTH: 'enforce', CASEGATE_DNS_SERVERS: address });
    const r = await sendRaw(served.port, mail({ from: ANN, to: caseAddress }), { from: ANN, to: [caseAddress] });
    expect(r.code).toBe(250);
    await served.stop();
    const shown = await runCli(['case', 'show', '00001001', '--json'], { db });
    expect(shown.json().comments[0].auth).toMatchObject({ dmarc: 'temperror' });
  });
});
