// A throwaway Dovecot IMAP server: its own config, state, log and maildirs in a fresh temporary
// folder, a self-signed certificate made with openssl, imaps on a free loopback port, users with
// static passwords in a passwd-file. Started as a child (`dovecot -F -c CONF`), stopped by its pid.
// Used by the mailbox tests (test/e2e/mailbox*.test.ts) and the benchmark (bench/mailbox.ts), so it
// imports nothing of casegate: the bench build compiles it. Messages go in with IMAP APPEND.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort, hasCommand } from './postfix.js';

/** Why a throwaway Dovecot cannot run here, or null when it can. */
export function dovecotUnavailable(): string | null {
  if (!hasCommand('dovecot')) return 'dovecot is not installed (Debian: dovecot-imapd)';
  if (!hasCommand('openssl')) return 'openssl is not installed';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'a throwaway dovecot needs root';
  return null;
}

export interface DovecotInstance {
  /** The imaps port on 127.0.0.1. */
  readonly port: number;
  readonly dir: string;
  /** `imaps://USER@127.0.0.1:PORT/INBOX`. */
  url(user: string, folder?: string): string;
  /** Appends a message to a folder of a user (the folder is created when missing); resolves with its UID. */
  append(user: string, raw: string | Buffer, folder?: string): Promise<number>;
  /** Appends many messages over one connection. */
  appendAll(user: string, raws: Iterable<string | Buffer>, folder?: string): Promise<void>;
  /** How many messages a folder of a user holds (0 when it does not exist). */
  count(user: string, folder: string): Promise<number>;
  /** The Subject of every message in a folder, in UID order. */
  subjects(user: string, folder: string): Promise<string[]>;
  /**
   * Deletes a folder of a user at once, with doveadm (synchronous: it can run inside a synchronous
   * callback, e.g. between a commit and the move that follows it).
   */
  deleteFolderNow(user: string, folder: string): void;
  /** Stops the server; safe to call twice. The folder stays until cleanup(). */
  stop(): Promise<void>;
  /** Stops it and removes the folder. */
  cleanup(): Promise<void>;
}

export interface DovecotOptions {
  /**
   * Also log in with XOAUTH2 (alone, as Microsoft 365 offers it; imapflow would take OAUTHBEARER
   * where offered): Dovecot's oauth2 passdb POSTs each token (`token=…`)
   * to this introspection URL, which answers JSON `{"active": true, "username": USER}` for a good one.
   * Such users need no password.
   */
  oauth2IntrospectionUrl?: string;
}

/** Starts Dovecot with `users` (name → password). */
export async function startDovecot(users: Record<string, string>, options: DovecotOptions = {}): Promise<DovecotInstance> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casegate-dovecot-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const mail = path.join(dir, 'mail');
  fs.mkdirSync(mail);
  const owner = systemUser(['dovecot', 'nobody']);
  const login = systemUser(['dovenull', 'nobody']);
  const vmail = systemUser(['nobody', 'dovecot']);
  execFileSync('chown', [`${vmail.uid}:${vmail.gid}`, mail]);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
  fs.writeFileSync(path.join(dir, 'passwd'), Object.entries(users).map(([u, p]) => `${u}:{PLAIN}${p}::::::\n`).join(''));
  if (options.oauth2IntrospectionUrl) {
    fs.writeFileSync(
      path.join(dir, 'oauth2.conf.ext'),
      [
        'introspection_mode = post',
        `introspection_url = ${options.oauth2IntrospectionUrl}`,
        'force_introspection = yes',
        'username_attribute = username',
        'active_attribute = active',
        'active_value = true',
        '',
      ].join('\n'),
    );
  }
  const conf = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(
    conf,
    [
      `base_dir = ${dir}/run`,
      `state_dir = ${dir}/state`,
      `log_path = ${dir}/dovecot.log`,
      `default_internal_user = ${owner.name}`,
      `default_login_user = ${login.name}`,
      `first_valid_uid = ${Math.min(vmail.uid, 1)}`,
      'protocols = imap',
      'listen = 127.0.0.1',
      'ssl = required',
      `ssl_cert = <${dir}/cert.pem`,
      `ssl_key = <${dir}/key.pem`,
      `auth_mechanisms = plain login${options.oauth2IntrospectionUrl ? ' xoauth2' : ''}`,
      // A wrong password is answered at once (the default waits 2 s): the tests try many.
      'auth_failure_delay = 0',
      'disable_plaintext_auth = yes',
      `mail_location = maildir:${mail}/%u`,
      'mail_fsync = never',
      'passdb {',
      '  driver = passwd-file',
      // Passwords only: a token goes to the oauth2 passdb alone.
      ...(options.oauth2IntrospectionUrl ? ['  mechanisms = plain login'] : []),
      `  args = scheme=PLAIN username_format=%u ${dir}/passwd`,
      '}',
      ...(options.oauth2IntrospectionUrl
        ? ['passdb {', '  driver = oauth2', '  mechanisms = xoauth2', `  args = ${dir}/oauth2.conf.ext`, '}']
        : []),
      // Users are looked up (doveadm) without asking a passdb: the oauth2 passdb cannot be asked.
      'userdb {',
      '  driver = static',
      `  args = uid=${vmail.uid} gid=${vmail.gid} home=${mail}/%u allow_all_users=yes`,
      '}',
      'namespace inbox {',
      '  inbox = yes',
      '  separator = /',
      '}',
      'service imap-login {',
      '  inet_listener imap {',
      '    port = 0',
      '  }',
      '  inet_listener imaps {',
      `    port = ${port}`,
      '    ssl = yes',
      '  }',
      '}',
      // No growing delay after repeated login failures (the auth penalty): the tests fail logins on purpose.
      'service anvil {',
      '  chroot =',
      '  unix_listener anvil-auth-penalty {',
      '    mode = 0',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  let proc: ChildProcess | null = spawn('dovecot', ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const log = (): string => `${output}${fs.existsSync(path.join(dir, 'dovecot.log')) ? fs.readFileSync(path.join(dir, 'dovecot.log'), 'utf8') : ''}`;
  const stop = async (): Promise<void> => {
    const p = proc;
    proc = null;
    if (p === null || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForGreeting(port, 10_000, () => proc?.exitCode ?? null);
  } catch (err) {
    await stop();
    const text = log();
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`the test dovecot did not start: ${(err as Error).message}\n${text}`);
  }

  const connect = async (user: string): Promise<ImapFlow> => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: true,
      tls: { rejectUnauthorized: false },
      auth: { user, pass: users[user] ?? '' },
      logger: false,
      disableAutoIdle: true,
    });
    await client.connect();
    return client;
  };
  const withClient = async <T>(user: string, fn: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const c = await connect(user);
    try {
      return await fn(c);
    } finally {
      await c.logout().catch(() => c.close());
    }
  };
  const ensure = async (c: ImapFlow, folder: string): Promise<void> => {
    if (folder.toUpperCase() === 'INBOX') return;
    const list = await c.list();
    if (!list.some((m) => m.path === folder)) await c.mailboxCreate(folder);
  };

  return {
    port,
    dir,
    url: (user, folder = 'INBOX') => `imaps://${encodeURIComponent(user)}@127.0.0.1:${port}/${folder}`,
    append: (user, raw, folder = 'INBOX') =>
      withClient(user, async (c) => {
        await ensure(c, folder);
        const r = await c.append(folder, raw);
        return r ? (r.uid ?? 0) : 0;
      }),
    appendAll: (user, raws, folder = 'INBOX') =>
      withClient(user, async (c) => {
        await ensure(c, folder);
        for (const raw of raws) await c.append(folder, raw);
      }),
    count: (user, folder) =>
      withClient(user, async (c) => {
        const list = await c.list();
        if (!list.some((m) => m.path === folder)) return 0;
        const s = await c.status(folder, { messages: true });
        return s === false ? 0 : (s.messages ?? 0);
      }),
    subjects: (user, folder) =>
      withClient(user, async (c) => {
        const list = await c.list();
        if (!list.some((m) => m.path === folder)) return [];
        const lock = await c.getMailboxLock(folder);
        try {
          const out: string[] = [];
          if ((c.mailbox && c.mailbox.exists) === 0) return out;
          for await (const m of c.fetch('1:*', { envelope: true, uid: true })) out.push(m.envelope?.subject ?? '');
          return out;
        } finally {
          lock.release();
        }
      }),
    deleteFolderNow: (user, folder) => {
      try {
        execFileSync('doveadm', ['-c', conf, 'mailbox', 'delete', '-u', user, folder], { stdio: 'pipe', encoding: 'utf8' });
      } catch (err) {
        throw new Error(`doveadm mailbox delete -u ${user} ${folder} failed: ${(err as { stderr?: string }).stderr ?? String(err)}`);
      }
    },
    stop,
    async cleanup() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function systemUser(names: readonly string[]): { name: string; uid: number; gid: number } {
  for (const name of names) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { name, uid, gid };
    } catch {
      // try the next one
    }
  }
  throw new Error(`none of the users ${names.join(', ')} exists: a throwaway dovecot needs one`);
}

/** Waits until the port accepts a TLS connection (Dovecot's imap-login is up). */
async function waitForGreeting(port: number, timeoutMs: number, exited: () => number | null): Promise<void> {
  const tls = await import('node:tls');
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
        s.once('data', () => {
          s.destroy();
          resolve(true);
        });
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (exited() !== null) throw new Error(`dovecot exited with ${exited()}`);
    if (Date.now() > until) throw new Error(`dovecot did not answer on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
