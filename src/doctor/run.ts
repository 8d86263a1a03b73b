// `casegate doctor`: what a mail admin must get right before customers start replying, one line
// per check (src/doctor/dns.ts for the DNS ones): MX, SPF, DKIM, DMARC, the relay (or the .eml
// folder), the database, the free space and the public URL of the portal's links. It changes nothing: no database is created, no mail sent.
import dgram from 'node:dgram';
import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config.js';
import { openDb, isPostgresUrl } from '../db/client.js';
import { freeBytes } from '../db/blobs.js';
import { heldInOutbox } from '../outbound/queue.js';
import { resolverFor } from '../ingest/auth.js';
import { checkDkim, checkDmarc, checkMx, checkSpf, type CheckResult } from './dns.js';
import { checkPublicUrl } from './publicUrl.js';

export type { CheckResult };

export interface DoctorOptions {
  /** The public address notifications leave from, when the host cannot tell (NAT). */
  sendingIp?: string;
  /** Longest wait for the relay's connection, greeting and each answer. */
  relayTimeoutMs?: number;
}

export interface DoctorReport {
  /** Every check passed. */
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
}

export async function runDoctor(config: Config, options: DoctorOptions = {}): Promise<DoctorReport> {
  const resolver = resolverFor(config);
  const sending = await sendingAddresses(config, options.sendingIp);
  const [mx, spf, dkim] = await Promise.all([checkMx(config, resolver), checkSpf(config, resolver, sending), checkDkim(config, resolver)]);
  const dmarc = await checkDmarc(config, resolver, { dkim: dkim.ok, spf: spf.ok });
  const [relay, database] = await Promise.all([checkRelay(config, options.relayTimeoutMs ?? 10_000), checkDatabase(config)]);
  const checks = [mx, spf, dkim, dmarc, relay, database.result, checkDisk(config, database.blobDir), checkPublicUrl(config)];
  return { ok: checks.every((c) => c.ok), checks };
}

/** Which addresses receivers see notifications come from: --sending-ip, the relay's, or (relay on this host, or none) this host's. */
async function sendingAddresses(config: Config, given: string | undefined): Promise<{ ips: string[]; why: string }> {
  if (given !== undefined) return { ips: [given], why: 'the address given with --sending-ip' };
  if (config.smtpUrl !== null) {
    const host = new URL(config.smtpUrl).hostname.replace(/^\[|\]$/g, '');
    const ips = isIP(host) !== 0 ? [host] : await addressesOf(config, host);
    if (ips.length > 0 && !ips.every(isLoopback)) return { ips, why: `the relay ${host} of CASEGATE_SMTP_URL` };
  }
  const own = await outgoingAddress();
  const why = config.smtpUrl === null ? "this host's outgoing address (no relay: whatever sends the .eml files)" : "this host's outgoing address (the relay runs here)";
  return { ips: own === null ? [] : [own], why: `${why}; behind NAT give the public one with --sending-ip` };
}

async function addressesOf(config: Config, host: string): Promise<string[]> {
  const resolver = resolverFor(config);
  const found: string[] = [];
  for (const type of ['A', 'AAAA']) found.push(...(((await resolver(host, type).catch(() => [])) ?? []) as string[]));
  return found;
}

const isLoopback = (ip: string): boolean => ip.startsWith('127.') || ip === '::1';

/** The local address of a route to the public Internet (a UDP "connect" sends nothing). */
function outgoingAddress(): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(null);
    });
    socket.connect(9, '192.0.2.1', () => {
      const { address } = socket.address();
      socket.close();
      resolve(address === '0.0.0.0' ? null : address);
    });
  });
}

/** The relay answers EHLO (and STARTTLS, and the login, when its URL asks); without one, the .eml folder can be written. */
async function checkRelay(config: Config, timeoutMs: number): Promise<CheckResult> {
  if (config.smtpUrl === null) {
    let dir = path.resolve(config.outboxDir);
    while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    try {
      fs.accessSync(dir, fs.constants.W_OK);
      return { check: 'relay', ok: true, detail: `no relay (CASEGATE_SMTP_URL): notifications are written as .eml files to ${path.resolve(config.outboxDir)}` };
    } catch {
      return { check: 'relay', ok: false, detail: `no relay (CASEGATE_SMTP_URL), and ${dir} cannot be written, so no .eml file can be: fix its permissions or set CASEGATE_OUTBOX_DIR` };
    }
  }
  const url = new URL(config.smtpUrl);
  const where = `${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 25)}`;
  const asksTls = url.protocol === 'smtps:' || /^(true|1|yes)$/i.test(url.searchParams.get('requireTLS') ?? '');
  const transport = nodemailer.createTransport({ url: config.smtpUrl, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs, disableUrlAccess: true });
  try {
    await transport.verify();
    return { check: 'relay', ok: true, detail: `the relay at ${where} answers EHLO${asksTls ? ' over TLS, as CASEGATE_SMTP_URL asks' : ''}` };
  } catch (err) {
    const e = err as { code?: string; message: string; response?: string };
    const said = e.response ? ` (it said "${e.response}")` : '';
    const detail =
      e.code === 'ECONNREFUSED' || /\bECONNREFUSED\b/.test(e.message)
        ? `the relay at ${where} refused the connection: start it, or correct the host and port of CASEGATE_SMTP_URL`
        : e.code === 'ETIMEDOUT' || e.code === 'ESOCKET' || e.code === 'ECONNECTION'
          ? `the relay at ${where} did not answer EHLO (${e.message}): check that it runs and that this host may reach it`
          : e.code === 'EAUTH'
            ? `the relay at ${where} refused the login of CASEGATE_SMTP_URL${said}: correct the user and password`
            : asksTls && /STARTTLS|TLS/i.test(e.message)
              ? `the relay at ${where} does not offer STARTTLS, which CASEGATE_SMTP_URL asks for (requireTLS): turn TLS on at the relay${said}`
              : `the relay at ${where} failed: ${e.message}${said}; check CASEGATE_SMTP_URL`;
    return { check: 'relay', ok: false, detail };
  } finally {
    transport.close();
  }
}

/** The database opens and answers a read; a SQLite file that does not exist is not created. */
async function checkDatabase(config: Config): Promise<{ result: CheckResult; blobDir: string }> {
  const shown = config.db.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
  const besideFile = path.join(path.dirname(path.resolve(config.db)), 'blobs');
  const blobDir = config.blobDir ?? (isPostgresUrl(config.db) ? path.resolve('data', 'blobs') : besideFile);
  if (!isPostgresUrl(config.db) && !fs.existsSync(config.db)) {
    return { result: { check: 'database', ok: false, detail: `the database ${shown} does not exist: run "casegate --db ${config.db} init"` }, blobDir };
  }
  try {
    const db = await openDb(config.db, { blobDir: config.blobDir ?? undefined, mustExist: true });
    try {
      const held = await db.transaction(heldInOutbox, 'read');
      return { result: { check: 'database', ok: true, detail: `the database ${db.location} opens (${held} notification${held === 1 ? '' : 's'} held for hard-bouncing addresses)` }, blobDir: db.blobs.localDir };
    } finally {
      await db.close();
    }
  } catch (err) {
    return { result: { check: 'database', ok: false, detail: `${(err as Error).message}` }, blobDir };
  }
}

function checkDisk(config: Config, blobDir: string): CheckResult {
  const gib = (n: number): string => `${(n / 2 ** 30).toFixed(1)} GiB`;
  let free: number;
  try {
    free = freeBytes(blobDir);
  } catch (err) {
    return { check: 'disk', ok: false, detail: `cannot read the free space of ${blobDir} (${(err as NodeJS.ErrnoException).code}): check that the folder can be reached` };
  }
  if (free < config.minFreeBytes) {
    return { check: 'disk', ok: false, detail: `${gib(free)} free for ${blobDir}, under CASEGATE_MIN_FREE_BYTES (${gib(config.minFreeBytes)}), so new mail gets 452: free some space` };
  }
  return { check: 'disk', ok: true, detail: `${gib(free)} free for ${blobDir} (new mail is refused under ${gib(config.minFreeBytes)})` };
}
