// DKIM for notifications: the key of CASEGATE_DKIM_KEY read and checked once, at start, so that a
// key that cannot be used stops the process instead of letting one message go out unsigned; the
// options of nodemailer's signer (relaxed/relaxed, rsa-sha256) that both transports apply; and new
// keys for `casegate dkim keygen`.
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { ConfigError, conflict, invalid } from '../errors.js';
import { dkimRecordName, dkimRecordValue, domainOfAddress, isDkimSelector } from '../domain/dnsRecords.js';

/**
 * The header fields signed, when present: those a reader trusts (who wrote it, to whom, about what,
 * in which thread, how to stop it), and the two that say how the body is read.
 */
export const SIGNED_HEADERS = Object.freeze([
  'From',
  'To',
  'Subject',
  'Date',
  'Message-ID',
  'In-Reply-To',
  'References',
  'Reply-To',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
  'MIME-Version',
  'Content-Type',
]);

/** Key sizes `dkim keygen` makes; under 1024 bits receivers ignore a signature, over 4096 few DNS consoles take the record. */
export const KEY_BITS = Object.freeze([1024, 2048, 3072, 4096]);
const MIN_BITS = 1024;

/** nodemailer's per-message `dkim` option. */
export interface DkimOptions {
  readonly domainName: string;
  readonly keySelector: string;
  readonly privateKey: string;
  readonly headerFieldNames: string;
}

export interface DkimKey {
  /** The signer's options, for a message's `dkim`. */
  readonly options: DkimOptions;
  /** Where the public key must be published. */
  readonly recordName: string;
  /** The TXT value to publish there. */
  readonly recordValue: string;
  /** Base64 of the public key's SubjectPublicKeyInfo, the `p=` of the record. */
  readonly publicKey: string;
  readonly bits: number;
}

/**
 * The key of CASEGATE_DKIM_KEY, checked: readable, a private RSA key of at least 1024 bits that
 * signs. Null when signing is not configured. Anything else is a ConfigError that says what to do.
 */
export function loadDkimKey(config: Pick<Config, 'dkimKey' | 'dkimSelector' | 'from'>): DkimKey | null {
  if (config.dkimKey === null || config.dkimSelector === null) return null;
  const file = config.dkimKey;
  const problem = (what: string): ConfigError =>
    new ConfigError([`CASEGATE_DKIM_KEY "${file}" ${what}; notifications are never sent unsigned, so nothing starts until this is fixed`]);
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw problem(`cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}); give the path of the PEM file "casegate dkim keygen --out FILE" wrote`);
  }
  let key: KeyObject;
  try {
    key = crypto.createPrivateKey(pem);
  } catch {
    const hint = /BEGIN (RSA )?PUBLIC KEY|BEGIN CERTIFICATE/.test(pem) ? 'holds a public key or certificate, not a private key' : 'is not a PEM private key';
    throw problem(`${hint}; give the private key ("-----BEGIN PRIVATE KEY-----"), e.g. one made by "casegate dkim keygen --out FILE"`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw problem(`is an ${key.asymmetricKeyType ?? 'unknown'} key; notifications are signed with rsa-sha256, which needs an RSA key ("casegate dkim keygen --out FILE" makes one)`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_BITS) throw problem(`is an RSA key of ${bits} bits; receivers ignore signatures under ${MIN_BITS} bits: make a 2048-bit one with "casegate dkim keygen"`);
  const privateKey = key.export({ type: 'pkcs8', format: 'pem' }).toString();
  try {
    crypto.sign('sha256', Buffer.from('casegate'), privateKey);
  } catch (err) {
    throw problem(`cannot sign (${(err as Error).message}); make a new key with "casegate dkim keygen"`);
  }
  const domain = domainOfAddress(config.from);
  const publicKey = publicKeyOf(key);
  return Object.freeze({
    options: Object.freeze({ domainName: domain, keySelector: config.dkimSelector, privateKey, headerFieldNames: SIGNED_HEADERS.join(':') }),
    recordName: dkimRecordName(config.dkimSelector, domain),
    recordValue: dkimRecordValue(publicKey),
    publicKey,
    bits,
  });
}

/** A new RSA private key, as PKCS#8 PEM, and its public half as the record's `p=`. */
export function generateDkimKey(bits: number): { privateKey: string; publicKey: string } {
  const pair = crypto.generateKeyPairSync('rsa', { modulusLength: bits });
  return { privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: publicKeyOf(pair.privateKey) };
}

/** Base64 of the SubjectPublicKeyInfo of a key's public half (what `p=` holds). */
function publicKeyOf(key: KeyObject): string {
  return crypto.createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
}

export interface NewDkimKey {
  /** The private key file written (absolute path). */
  readonly file: string;
  readonly selector: string;
  readonly domain: string;
  readonly bits: number;
  /** The TXT record to publish: its name and value. */
  readonly name: string;
  readonly value: string;
}

/**
 * `casegate dkim keygen`: makes an RSA key, writes its private half to `out` (created with mode
 * 0600, fsynced; an existing file is never replaced, it may be the key in use) and returns the TXT
 * record that publishes its public half for the domain of CASEGATE_FROM.
 */
export function createDkimKeyFile(config: Pick<Config, 'from'>, input: { out: string; selector: string; bits: number | string }): NewDkimKey {
  const selector = input.selector.toLowerCase();
  if (!isDkimSelector(selector)) {
    throw invalid(`--selector "${input.selector}" is not a selector; use letters, digits and hyphens, e.g. casegate or cg2025`);
  }
  const bits = typeof input.bits === 'number' ? input.bits : /^\d+$/.test(input.bits) ? Number(input.bits) : NaN;
  if (!KEY_BITS.includes(bits)) throw invalid(`--bits "${input.bits}" is not a key size; use one of ${KEY_BITS.join(', ')} (2048 is what receivers expect)`);
  const file = path.resolve(input.out);
  const { privateKey, publicKey } = generateDkimKey(bits);
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw conflict(`${file} exists; a key file is never overwritten (it may be the key in use): move it away or give another --out`);
    throw invalid(`cannot create ${file} (${code ?? 'error'}); give --out a path in a folder you may write to`);
  }
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, privateKey);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw invalid(`cannot write ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing was kept, free some space or choose another --out`);
  }
  fs.closeSync(fd);
  const domain = domainOfAddress(config.from);
  return { file, selector, domain, bits, name: dkimRecordName(selector, domain), value: dkimRecordValue(publicKey) };
}
