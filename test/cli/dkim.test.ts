// `casegate dkim keygen` and what `serve` does with a key it cannot use.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, newTestDb, runCli, type TestDb } from '../helpers/cli.js';

let t: TestDb;
beforeAll(async () => {
  t = await newTestDb();
});
afterAll(() => t?.cleanup());

describe('casegate dkim keygen', () => {
  it('writes the private key with mode 0600 and prints the TXT record for the domain of CASEGATE_FROM', async () => {
    const out = path.join(t.dir, 'dkim.pem');
    const r = await runCli(['dkim', 'keygen', '--out', out, '--selector', 'cg2025'], { env: { CASEGATE_FROM: 'help@support.example.org' }, cwd: t.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const key = crypto.createPrivateKey(fs.readFileSync(out));
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const p = crypto.createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
    expect(r.stdout).toContain('name:  cg2025._domainkey.support.example.org');
    expect(r.stdout).toContain(`value: v=DKIM1; k=rsa; p=${p}`);
    // The zone-file form: strings of at most 255 characters that join to the same value.
    const zone = /^ {2}(cg2025\._domainkey\.support\.example\.org\. IN TXT \( .* \))$/m.exec(r.stdout)?.[1] ?? '';
    const strings = [...zone.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    expect(strings.length).toBeGreaterThan(1);
    expect(strings.every((s) => s.length <= 255)).toBe(true);
    expect(strings.join('')).toBe(`v=DKIM1; k=rsa; p=${p}`);
    expect(r.stdout).toContain(`CASEGATE_DKIM_KEY=${out} and CASEGATE_DKIM_SELECTOR=cg2025`);

    // A second run never replaces the key that may be in use.
    const before = fs.readFileSync(out);
    expectRefused(await runCli(['dkim', 'keygen', '--out', out]), /^casegate: .*dkim\.pem exists; a key file is never overwritten .*: move it away or give another --out$/);
    expect(fs.readFileSync(out).equals(before)).toBe(true);
  });
});

describe('casegate serve with a key it cannot use', () => {
  it('stops at start with the reason, before it listens: nothing is ever sent unsigned', async () => {
    const pub = path.join(t.dir, 'public.pem');
    fs.writeFileSync(pub, crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }));
    const r = await t.runWith(['serve', '--host', '127.0.0.1', '--port', '0'], {
      env: { CASEGATE_DKIM_KEY: pub, CASEGATE_DKIM_SELECTOR: 'casegate' },
    });
    expect(r.code).toBe(2);
    expect(r.stdout).not.toMatch(/listening on/);
    expect(r.stderr).toMatch(/^casegate: CASEGATE_DKIM_KEY ".*public\.pem" holds a public key or certificate, not a private key; give the private key/m);
  });
});
