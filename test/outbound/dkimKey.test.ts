// The DKIM key is read and checked once, at start: a key that cannot be used is a configuration
// error that says what to do, never a notification sent unsigned.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { loadDkimKey } from '../../src/outbound/dkim.js';
import { tempDir } from '../helpers/tempDir.js';

const dir = tempDir('dkimkey');
afterAll(() => dir.cleanup());

function keyFile(name: string, pem: string): string {
  const file = path.join(dir.dir, name);
  fs.writeFileSync(file, pem, { mode: 0o600 });
  return file;
}

const pkcs8 = (k: crypto.KeyObject): string => k.export({ type: 'pkcs8', format: 'pem' }).toString();
const load = (file: string) => loadDkimKey({ dkimKey: file, dkimSelector: 'casegate', from: 'Support@Example.COM' });

function problemOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.join('\n');
  }
  throw new Error('expected a ConfigError');
}

describe('a usable key', () => {
  it('gives the signer its options and the record to publish for the domain of CASEGATE_FROM', () => {
    const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    // A traditional "BEGIN RSA PRIVATE KEY" file (as openssl genrsa writes) is taken too.
    const file = keyFile('rsa.pem', pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
    const key = load(file)!;
    expect(key.bits).toBe(2048);
    expect(key.options).toMatchObject({ domainName: 'example.com', keySelector: 'casegate' });
    expect(key.options.headerFieldNames.split(':')).toEqual(expect.arrayContaining(['From', 'To', 'Subject', 'Date', 'Message-ID', 'In-Reply-To', 'References', 'Reply-To', 'List-Unsubscribe']));
    expect(key.recordName).toBe('casegate._domainkey.example.com');
    const spki = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    expect(key.recordValue).toBe(`v=DKIM1; k=rsa; p=${spki}`);
  });

  it('is not needed when signing is not configured', () => {
    expect(loadDkimKey({ dkimKey: null, dkimSelector: null, from: 'support@example.com' })).toBeNull();
  });
});

describe('a key that cannot be used stops the start with a message that says what to do', () => {
  it('a file that cannot be read', () => {
    expect(problemOf(() => load(path.join(dir.dir, 'missing.pem')))).toMatch(/CASEGATE_DKIM_KEY ".*missing\.pem" cannot be read \(ENOENT\); give the path of the PEM file/);
  });

  it('a public key instead of the private one', () => {
    const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
    const file = keyFile('public.pem', publicKey.export({ type: 'spki', format: 'pem' }).toString());
    expect(problemOf(() => load(file))).toMatch(/holds a public key or certificate, not a private key; give the private key/);
  });

  it('text that is no key at all', () => {
    expect(problemOf(() => load(keyFile('junk.pem', 'not a key\n')))).toMatch(/is not a PEM private key/);
  });

  it('an Ed25519 or EC key, which rsa-sha256 cannot use', () => {
    const ed = keyFile('ed.pem', pkcs8(crypto.generateKeyPairSync('ed25519').privateKey));
    expect(problemOf(() => load(ed))).toMatch(/is an ed25519 key; notifications are signed with rsa-sha256, which needs an RSA key/);
    const ec = keyFile('ec.pem', pkcs8(crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey));
    expect(problemOf(() => load(ec))).toMatch(/is an ec key/);
  });

  it('an RSA key too short for receivers to trust', () => {
    const file = keyFile('short.pem', pkcs8(crypto.generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey));
    expect(problemOf(() => load(file))).toMatch(/is an RSA key of 512 bits; receivers ignore signatures under 1024 bits/);
  });
});

describe('the settings come as a pair', () => {
  it('a key without a selector, or a selector without a key, is refused; a bad selector too', () => {
    const only = (env: Record<string, string>) => problemOf(() => loadConfig({}, env));
    expect(only({ CASEGATE_DKIM_KEY: '/etc/casegate/dkim.pem' })).toMatch(/DKIM signing needs both CASEGATE_DKIM_KEY .* and CASEGATE_DKIM_SELECTOR/);
    expect(only({ CASEGATE_DKIM_SELECTOR: 'casegate' })).toMatch(/needs both/);
    expect(only({ CASEGATE_DKIM_KEY: '/k.pem', CASEGATE_DKIM_SELECTOR: 'bad_selector' })).toMatch(/CASEGATE_DKIM_SELECTOR "bad_selector" is not a selector/);
    expect(loadConfig({}, { CASEGATE_DKIM_KEY: '/k.pem', CASEGATE_DKIM_SELECTOR: 'CG2025' }).dkimSelector).toBe('cg2025');
  });
});
