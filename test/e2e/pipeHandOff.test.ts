// Pipe mode with a gateway running: `casegate ingest` (the real binary) hands its message to the
// gateway over CASEGATE_INGEST_SOCKET and prints the gateway's answers with the same lines and
// exit codes as in-process; with no gateway answering it ingests the message itself.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, startIngest } from '../helpers/cli.js';
import { startDns, type DnsServer } from '../helpers/dns.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, EVE, SUPPORT } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { tempDir } from '../helpers/tempDir.js';
import { query } from '../helpers/testDb.js';
import { createPipeSocketServer } from '../../src/smtp/pipeSocket.js';

let dns: DnsServer;
let gw: Gateway;
let socket: string;
let files: { dir: string; cleanup: () => void };

beforeAll(async () => {
  // evil.example's SPF names 198.51.100.7; bank.example publishes DMARC p=reject.
  dns = await startDns({
    'evil.example': [{ type: 'TXT', value: 'v=spf1 ip4:198.51.100.7 -all' }],
    '_dmarc.bank.example': [{ type: 'TXT', value: 'v=DMARC1; p=reject' }],
  });
  files = tempDir('handoff');
  socket = path.join(files.dir, 'casegate.sock');
  gw = await startGateway({ CASEGATE_INGEST_SOCKET: socket, CASEGATE_SENDER_AUTH: 'enforce', CASEGATE_DNS_SERVERS: dns.address }, { ingestSocket: true });
  return async () => {
    await gw.close();
    await dns.close();
    files.cleanup();
  };
});

/** The gateway's hand-off sessions so far. */
const handedOff = (): number => gw.logged.filter((l) => l.includes('"event":"pipe"')).length;
const eml = (name: string, content: string): string => {
  const p = path.join(files.dir, name);
  fs.writeFileSync(p, content);
  return p;
};
const ingest = (args: string[], env: Record<string, string> = {}) =>
  runCli(['ingest', ...args], { db: gw.config.db, env: { CASEGATE_INGEST_SOCKET: socket, CASEGATE_SENDER_AUTH: 'off', ...env } });
const comments = async (): Promise<string[]> =>
  (await query<{ body: string }>(gw.db, 'SELECT body FROM comments ORDER BY id')).map((r) => r.body);

describe('casegate ingest hands the message to the running gateway', () => {
  it('0: a reply becomes a comment, committed by the gateway, with the line in-process pipe mode prints', async () => {
    const before = handedOff();
    // As a Unix pipe gives it: LF line ends.
    const reply = eml('reply.eml', mail({ from: ANN, messageId: '<handed-off@acme.example>', body: 'The printer works again.\r\n.\r\n..and lines that start with dots stay as written.' }).replace(/\r\n/g, '\n'));
    const r = await ingest([`--mail-from=${ANN}`, `--rcpt=${gw.caseAddress}`, reply]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${gw.caseAddress}: 250 2.6.0 added to case ${gw.caseNumber}\n`);
    expect(handedOff()).toBe(before + 1);
    expect((await comments()).at(-1)).toMatch(/^The printer works again\.\r?\n\.\r?\n\.\.and lines that start with dots stay as written\./);
  });

  it('67: an unknown address; with a known one beside it nothing is stored for either (one transaction)', async () => {
    const count = (await comments()).length;
    const unknown = 'nobody@cases.localhost';
    const r = await ingest(['--mail-from', ANN, '--rcpt', unknown, '--rcpt', gw.caseAddress, eml('two.eml', mail({ from: ANN }))]);
    expect(r.code).toBe(67);
    expect(r.stdout.split('\n')).toEqual([
      `${unknown}: 550 5.1.1 <${unknown}>: no such mailbox here; mail to it will not be processed`,
      `${gw.caseAddress}: 550 5.1.1 <${unknown}>: no such mailbox here; mail to it will not be processed; so the message was not stored for any of its recipients, send it again without that recipient`,
      '',
    ]);
    expect((await comments()).length).toBe(count);
  });

  it('77: --client-ip and --helo reach SPF through XCLIENT; a forged p=reject From is refused', async () => {
    dns.queries.length = 0;
    const forged = eml('forged.eml', mail({ from: 'ceo@bank.example', subject: 'Wire the money' }));
    const r = await ingest(['--mail-from', EVE, '--client-ip', '198.51.100.7', '--helo', 'mx.evil.example', '--rcpt', SUPPORT, forged]);
    expect(r.code).toBe(77);
    expect(r.stdout).toMatch(/^support@acme-support\.example: 550 5\.7\.1 message refused: .*DMARC/);
    expect(dns.queries).toContain('evil.example TXT');
    const [row] = await query<{ auth: string }>(gw.db, 'SELECT auth FROM inbound ORDER BY id DESC LIMIT 1');
    expect(JSON.parse(String(row?.auth))).toMatchObject({ spf: 'pass', dmarc: 'fail', policy: 'reject' });
  }, 15_000);
});

describe('casegate ingest without a gateway answering ingests the message itself', () => {
  it('no socket file, or a stale one of a killed server: the same answer, no hand-off', async () => {
    const before = handedOff();
    // The reply the gateway stored above, again (a relay's retry): the same message either way.
    const absent = await ingest(['--mail-from', ANN, '--rcpt', gw.caseAddress, path.join(files.dir, 'reply.eml')], { CASEGATE_INGEST_SOCKET: path.join(files.dir, 'none.sock') });
    expect(absent.code, absent.stderr).toBe(0);
    expect(absent.stdout).toMatch(/^case\+\w+@cases\.localhost: 250 2\.6\.0 already stored \(inbound \d+\); this copy is not added again\n$/);
    // A socket file whose server was killed: nothing listens on it any more.
    const stale = path.join(files.dir, 'stale.sock');
    spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`], { stdio: 'ignore' });
    expect(fs.statSync(stale).isSocket()).toBe(true);
    const r = await ingest(['--mail-from', ANN, '--rcpt', gw.caseAddress, eml('s.eml', mail({ from: ANN, messageId: '<stale@acme.example>' }))], { CASEGATE_INGEST_SOCKET: stale });
    expect(r.code, r.stderr).toBe(0);
    expect(handedOff()).toBe(before);
    // The next gateway on that path takes the stale file over; a live one is not taken.
    const next = createPipeSocketServer({ db: gw.db, config: gw.config, committer: { connection: () => () => undefined } as never }, stale);
    await expect(next.start()).resolves.toBe(stale);
    expect(fs.statSync(stale).mode & 0o777).toBe(0o600);
    await next.stop();
    const second = createPipeSocketServer({ db: gw.db, config: gw.config, committer: { connection: () => () => undefined } as never }, socket);
    await expect(second.start()).rejects.toThrow(/another casegate serve takes pipe deliveries on .*casegate\.sock/);
  });
});

describe('casegate ingest when the hand-off breaks off', () => {
  it('75: the gateway goes away after DATA, before its answer', async () => {
    // A gateway that dies in the middle of the message: it takes the envelope, then closes.
    const dying = path.join(files.dir, 'dying.sock');
    const server = net.createServer((c) => {
      c.write('220 casegate pipe\r\n');
      let inData = false;
      c.on('data', (d: Buffer) => {
        if (inData) return c.destroy();
        for (const line of d.toString('latin1').split('\r\n').filter(Boolean)) {
          inData = line === 'DATA';
          c.write(inData ? '354 go ahead\r\n' : line.startsWith('XCLIENT') ? '220 again\r\n' : '250 ok\r\n');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(dying, resolve));
    try {
      const r = await ingest(['--mail-from', ANN, '--rcpt', gw.caseAddress, eml('d.eml', mail({ from: ANN }))], { CASEGATE_INGEST_SOCKET: dying });
      expect(r.code).toBe(75);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^casegate: temporary failure(, nothing was kept)?: the gateway went away/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('75: a message that stops coming is given up after CASEGATE_INGEST_TIMEOUT_SECONDS; the gateway keeps nothing', async () => {
    const count = (await comments()).length;
    const before = handedOff();
    const child = startIngest(gw.config.db, ['--rcpt', gw.caseAddress, '--mail-from', ANN], { CASEGATE_INGEST_TIMEOUT_SECONDS: '1', CASEGATE_INGEST_SOCKET: socket });
    try {
      const whole = mail({ from: ANN, subject: 'Stalled' });
      child.stdin.write(whole.slice(0, Math.floor(whole.length / 2)));
      expect(await child.exited, child.stderr()).toBe(75);
    } finally {
      child.end();
    }
    expect(child.stdout()).toBe('');
    expect(child.stderr()).toBe('casegate: temporary failure, nothing was kept: the message was not read within 1 s\n');
    expect((await comments()).length).toBe(count);
    expect(handedOff()).toBe(before);
  });
});
