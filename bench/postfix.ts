// A throwaway Postfix instance for row 2: its own config and queue folders, smtpd on a loopback
// port, every message accepted into the hold queue (so it is written and fsynced like any queued
// mail, and never delivered anywhere). Started with `postfix -c DIR start`, stopped with `stop`.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export interface PostfixInstance {
  readonly port: number;
  readonly version: string;
  /** Messages in the hold queue. */
  held(): number;
  stop(): void;
}

const MASTER_CF = '/etc/postfix/master.cf';

/** Why a throwaway Postfix cannot run here, or null when it can. */
export function postfixUnavailable(): string | null {
  if (!hasCommand('postfix')) return 'not installed';
  if (!fs.existsSync(MASTER_CF)) return `not installed (no ${MASTER_CF})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'needs root';
  try {
    execFileSync('id', ['postfix'], { stdio: 'ignore' });
  } catch {
    return 'no postfix user';
  }
  return null;
}

export function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts an instance in a fresh folder (readable by the postfix user); stop() removes the folder. */
export async function startPostfix(): Promise<PostfixInstance> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casegate-bench-postfix-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const conf = path.join(dir, 'conf');
  const spool = path.join(dir, 'spool');
  const data = path.join(dir, 'data');
  for (const d of [conf, spool, data]) fs.mkdirSync(d, { recursive: true });
  execFileSync('chown', ['postfix', data]);
  fs.writeFileSync(
    path.join(conf, 'main.cf'),
    [
      'compatibility_level = 3.6',
      `queue_directory = ${spool}`,
      `data_directory = ${data}`,
      'mail_owner = postfix',
      'inet_interfaces = loopback-only',
      'inet_protocols = ipv4',
      'myhostname = bench.localhost',
      'mydestination =',
      'relay_domains =',
      'mynetworks = 127.0.0.0/8',
      'alias_maps =',
      'alias_database =',
      'smtpd_relay_restrictions = permit_mynetworks, reject',
      // every message goes on hold: queued on disk, never delivered
      'smtpd_recipient_restrictions = check_recipient_access static:HOLD',
      'default_transport = discard:bench instance',
      'relay_transport = discard:bench instance',
      'smtpd_client_connection_count_limit = 0',
      'smtpd_client_message_rate_limit = 0',
      'message_size_limit = 40000000',
      `maillog_file_prefixes = ${dir}`,
      `maillog_file = ${path.join(dir, 'maillog')}`,
      '',
    ].join('\n'),
  );
  // Debian's master.cf with smtpd on our port and no chroot (the folders above are not set up for one).
  const master = fs
    .readFileSync(MASTER_CF, 'utf8')
    .split('\n')
    .map((line) => {
      if (/^[#\s]/.test(line) || line.trim() === '') return line;
      const f = line.split(/\s+/);
      if (f.length < 8) return line;
      if (f[0] === 'smtp' && f[1] === 'inet') f[0] = `127.0.0.1:${port}`;
      if (f[4] === 'y') f[4] = 'n';
      return f.join(' ');
    })
    .join('\n');
  fs.writeFileSync(path.join(conf, 'master.cf'), master);
  execFileSync('postfix', ['-c', conf, 'start'], { stdio: 'ignore' });
  const stop = (): void => {
    try {
      execFileSync('postfix', ['-c', conf, 'stop'], { stdio: 'ignore' });
    } catch {
      // already stopped
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForListening(port, 10_000);
  } catch (err) {
    stop();
    throw err;
  }
  const version = execFileSync('postconf', ['-c', conf, '-h', 'mail_version'], { encoding: 'utf8' }).trim();
  return { port, version, held: () => countFiles(path.join(spool, 'hold')), stop };
}

async function waitForListening(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`postfix did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function countFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    n += entry.isDirectory() ? countFiles(path.join(dir, entry.name)) : 1;
  }
  return n;
}
