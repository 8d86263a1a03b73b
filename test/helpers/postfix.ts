// A throwaway Postfix instance: its own config, queue and data folders in a fresh temporary folder,
// smtpd on a loopback port, its log in a file (maillog_file, written by the postlog service of
// master.cf). Started with `postfix -c DIR start`, stopped with `postfix -c DIR stop`. Used by the
// Postfix tests (test/e2e/postfix*.test.ts) and the benchmark (bench/postfix.ts), so it imports
// nothing but Node: the bench build compiles it.
//
// docs/postfix.md is the configuration the tests run: pageConfig() takes its blocks by their first
// line and puts the test's values in.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MASTER_CF = '/etc/postfix/master.cf';
const PAGE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/postfix.md');

/** Why a throwaway Postfix cannot run here, or null when it can. */
export function postfixUnavailable(): string | null {
  if (!hasCommand('postfix')) return 'postfix is not installed';
  if (!fs.existsSync(MASTER_CF)) return `postfix is not installed (no ${MASTER_CF})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'a throwaway postfix needs root';
  try {
    execFileSync('id', ['postfix'], { stdio: 'ignore' });
  } catch {
    return 'there is no postfix user';
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

export interface PostfixSetup {
  /** Prefix of the temporary folder's name. */
  name?: string;
  /**
   * main.cf lines after the base ones (a later setting wins). `{conf}` stands for the config
   * folder, e.g. `transport_maps = hash:{conf}/transport`.
   */
  main?: string;
  /** master.cf lines added to Debian's (the same `{conf}`). */
  master?: string;
  /** Lookup tables written into the config folder and compiled with postmap (use them as hash:{conf}/NAME). */
  tables?: Record<string, string>;
}

/** One delivery attempt as Postfix logged it: `QUEUEID: to=<...>, relay=..., dsn=..., status=... (...)`. */
export interface Delivery {
  queueId: string;
  /** The daemon that logged it: smtp, lmtp, pipe, error, discard, ... */
  agent: string;
  to: string;
  relay: string;
  dsn: string;
  status: string;
  /** The text in parentheses: the server's answer, or what the agent says. */
  detail: string;
  /** The whole log line from the queue id on. */
  line: string;
}

export interface PostfixInstance {
  readonly port: number;
  readonly version: string;
  /** The temporary folder (config, queue, data, log); removed by stop(). */
  readonly dir: string;
  /** The config folder (main.cf, master.cf, tables). */
  readonly conf: string;
  /** What Postfix logged so far. */
  log(): string;
  /** Every delivery attempt logged so far, oldest first. */
  deliveries(): Delivery[];
  /** Resolves with the first delivery matching `match`; rejects with the log after `timeoutMs`. */
  waitForDelivery(match: (d: Delivery) => boolean, timeoutMs?: number): Promise<Delivery>;
  /** `postqueue -f`: tries deferred mail again now. */
  flush(): void;
  /** Messages in the hold queue. */
  held(): number;
  /** Stops Postfix and removes the folder; safe to call twice. */
  stop(): void;
}

/** How long `postfix start` or `stop` may take before the instance is taken for wedged. */
const POSTFIX_COMMAND_MS = 20_000;

/** Ends a test instance by force: SIGKILL to its master's process group (the master and every daemon it started). */
function killInstance(spool: string): void {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(spool, 'pid', 'master.pid'), 'utf8').trim());
  } catch {
    return; // never started
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // gone already, or not a group leader
    }
  }
}

/** Starts an instance in a fresh folder (readable by the postfix user). */
export async function startPostfix(setup: PostfixSetup = {}): Promise<PostfixInstance> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `casegate-${setup.name ?? 'postfix'}-`));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const conf = path.join(dir, 'conf');
  const spool = path.join(dir, 'spool');
  const data = path.join(dir, 'data');
  const maillog = path.join(dir, 'maillog');
  for (const d of [conf, spool, data]) fs.mkdirSync(d, { recursive: true });
  execFileSync('chown', ['postfix', data]);
  const fill = (text: string): string => text.replaceAll('{conf}', conf);
  fs.writeFileSync(
    path.join(conf, 'main.cf'),
    [
      'compatibility_level = 3.6',
      `queue_directory = ${spool}`,
      `data_directory = ${data}`,
      'mail_owner = postfix',
      'inet_interfaces = loopback-only',
      'inet_protocols = ipv4',
      'myhostname = postfix.test.localhost',
      'mydestination =',
      'relay_domains =',
      'mynetworks = 127.0.0.0/8',
      'alias_maps =',
      'alias_database =',
      'smtpd_relay_restrictions = permit_mynetworks, reject',
      // Nothing leaves this instance for the outside world: mail for any other domain is discarded
      // (logged status=sent "discarded"), and Postfix writes no notices to the postmaster.
      'default_transport = discard:no mail leaves the test instance',
      'relay_transport = discard:no mail leaves the test instance',
      'notify_classes =',
      // Deferred mail comes back soon and a flush finds it at once.
      'queue_run_delay = 1s',
      'minimal_backoff_time = 1s',
      'maximal_backoff_time = 2s',
      'smtpd_client_connection_count_limit = 0',
      'smtpd_client_message_rate_limit = 0',
      'message_size_limit = 40000000',
      `maillog_file_prefixes = ${dir}`,
      `maillog_file = ${maillog}`,
      fill(setup.main ?? ''),
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
  fs.writeFileSync(path.join(conf, 'master.cf'), `${master}\n${fill(setup.master ?? '')}\n`);
  for (const [name, text] of Object.entries(setup.tables ?? {})) {
    fs.writeFileSync(path.join(conf, name), fill(text));
    execFileSync('postmap', ['-c', conf, `hash:${path.join(conf, name)}`]);
  }
  const stop = (): void => {
    try {
      execFileSync('postfix', ['-c', conf, 'stop'], { stdio: 'ignore', timeout: POSTFIX_COMMAND_MS });
    } catch {
      // Not running, or wedged: once in CI its own log daemon blocked on the log socket it serves,
      // and `postfix stop` (which logs through it) waited forever. The whole instance goes.
      killInstance(spool);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    execFileSync('postfix', ['-c', conf, 'start'], { stdio: 'pipe', timeout: POSTFIX_COMMAND_MS });
    await waitForListening(port, 10_000);
  } catch (err) {
    const log = fs.existsSync(maillog) ? fs.readFileSync(maillog, 'utf8') : '';
    stop();
    throw new Error(`the test postfix did not start: ${(err as Error).message}\n${log}`);
  }
  const version = execFileSync('postconf', ['-c', conf, '-h', 'mail_version'], { encoding: 'utf8' }).trim();
  const log = (): string => (fs.existsSync(maillog) ? fs.readFileSync(maillog, 'utf8') : '');
  const deliveries = (): Delivery[] => parseDeliveries(log());
  return {
    port,
    version,
    dir,
    conf,
    log,
    deliveries,
    async waitForDelivery(match, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = deliveries().find(match);
        if (found) return found;
        if (Date.now() > until) throw new Error(`postfix logged no such delivery within ${timeoutMs} ms; its log:\n${log()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    flush: () => execFileSync('postqueue', ['-c', conf, '-f'], { stdio: 'ignore' }),
    held: () => countFiles(path.join(spool, 'hold')),
    stop,
  };
}

const DELIVERY = /postfix\/(\S+?)\[\d+\]: ([0-9A-F]+): to=<([^>]*)>,(?: orig_to=<[^>]*>,)? relay=([^,]+), .*?dsn=([\d.]+), status=(\w+) \((.*)\)$/;

/** The delivery attempts in a Postfix log (each `status=` line). */
export function parseDeliveries(log: string): Delivery[] {
  const out: Delivery[] = [];
  for (const line of log.split('\n')) {
    const m = DELIVERY.exec(line);
    if (!m) continue;
    const [, agent, queueId, to, relay, dsn, status, detail] = m as unknown as string[];
    out.push({ agent: agent!, queueId: queueId!, to: to!, relay: relay!, dsn: dsn!, status: status!, detail: detail!, line: line.slice(line.indexOf(queueId!)) });
  }
  return out;
}

/** The queue id in smtpd's answer to DATA: `250 2.0.0 Ok: queued as 4Xyz...`. */
export function queueIdOf(response: string): string {
  const m = /queued as ([0-9A-F]+)/.exec(response);
  if (!m) throw new Error(`postfix did not queue the message: ${response}`);
  return m[1]!;
}

/**
 * A block of docs/postfix.md, found by its first line (e.g. `# /etc/postfix/main.cf: SMTP relay`),
 * without that line, with each `from` replaced by its `to`.
 */
export function pageConfig(title: string, values: Record<string, string> = {}): string {
  const page = fs.readFileSync(PAGE, 'utf8');
  for (const m of page.matchAll(/```[a-z]*\n([^\n]*)\n([\s\S]*?)```/g)) {
    if (m[1] !== `# ${title}`) continue;
    let text = m[2]!;
    for (const [from, to] of Object.entries(values)) text = text.replaceAll(from, to);
    return text;
  }
  throw new Error(`docs/postfix.md has no block starting "# ${title}"`);
}

/**
 * Waits until no process has `text` in its command line (e.g. the `casegate ingest` runs of a pipe
 * transport, which go on after `postfix stop`); gives up quietly after `timeoutMs`.
 */
export async function waitForProcessesGone(text: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && runningWith(text)) await new Promise((r) => setTimeout(r, 100));
}

function runningWith(text: string): boolean {
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
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
