// STARTTLS is offered only with a configured key and certificate, and mail over it is taken.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, countRows } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { loadConfig, ConfigError } from '../../src/config.js';
import { tempDir, type TempDir } from '../helpers/tempDir.js';

let gw: Gateway | undefined;
let tls: TempDir | undefined;
afterEach(async () => {
  await gw?.close();
  tls?.cleanup();
  gw = tls = undefined;
});

function selfSigned(): { key: string; cert: string } {
  tls = tempDir('tls');
  const key = path.join(tls.dir, 'key.pem');
  const cert = path.join(tls.dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=cases.localhost'], {
    stdio: 'ignore',
  });
  return { key, cert };
}

async function ehlo(port: number): Promise<string> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.startsWith('220') && !buf.includes('EHLO-SENT')) {
        buf += 'EHLO-SENT';
        s.write('EHLO test.example\r\n');
      } else if (/\r\n250 [^\r\n]*\r\n$/.test(buf)) {
        s.end('QUIT\r\n');
        resolve(buf);
      }
    });
    s.on('error', reject);
  });
}

describe('STARTTLS', () => {
  it('is not offered without a key and certificate', async () => {
    gw = await startGateway();
    expect(await ehlo(gw.port)).not.toMatch(/STARTTLS/);
  });

  it('is offered with CASEGATE_TLS_KEY and CASEGATE_TLS_CERT, and mail sent over it is stored', async () => {
    const { key, cert } = selfSigned();
    gw = await startGateway({ CASEGATE_TLS_KEY: key, CASEGATE_TLS_CERT: cert });
    expect(await ehlo(gw.port)).toMatch(/250-STARTTLS/);
    const t = nodemailer.createTransport({ host: '127.0.0.1', port: gw.port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
    const info = await t.sendMail({ envelope: { from: ANN, to: [gw.caseAddress] }, raw: mail({ from: ANN }) });
    t.close();
    expect(info.response).toMatch(/^250 /);
    expect(await countRows(gw.db, 'comments', "source = 'email'")).toBe(1);
  });

  it('needs both files: one alone is a configuration error that says so', async () => {
    expect(() => loadConfig({}, { CASEGATE_TLS_KEY: '/tmp/key.pem' })).toThrow(ConfigError);
    expect(() => loadConfig({}, { CASEGATE_TLS_KEY: '/tmp/key.pem' })).toThrow(/needs both CASEGATE_TLS_KEY and CASEGATE_TLS_CERT/);
  });
});
