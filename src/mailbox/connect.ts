// Opening an IMAP mailbox: the secret read at every connection (a password file, or an XOAUTH2
// access token printed by a command, for Microsoft 365 and Gmail), TLS verified (imaps, or imap
// with STARTTLS required), and failures turned into one sentence an admin can act on.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { isIP } from 'node:net';
import type { AuthOptions, ImapFlow } from 'imapflow';
import type { Config } from '../config.js';
import type { MailboxRow } from '../db/mailboxes.js';
import { explainMailboxFailure, parseMailboxUrl, type MailboxAddress, type MailboxFailure } from '../domain/mailbox.js';

/** Longest wait for the token command. */
export const TOKEN_COMMAND_TIMEOUT_MS = 30_000;

/** A failure to reach, log in to or read a mailbox; its message says what to check. Always worth another try later. */
export class MailboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailboxError';
  }
}

/** The URL of a stored mailbox, read again (it was checked when added). */
export function addressOf(row: MailboxRow): MailboxAddress {
  const parsed = parseMailboxUrl(row.url);
  if (typeof parsed === 'string') throw new MailboxError(parsed);
  return parsed;
}

/** Connects and logs in; throws a MailboxError that explains why not. The caller logs out. */
export async function openMailbox(row: MailboxRow, config: Pick<Config, 'mailboxPollSeconds' | 'maxMessageBytes'>): Promise<ImapFlow> {
  const address = addressOf(row);
  // Loaded at the first connection, not with the gateway: serve watches the mailbox table whether
  // or not it names any, and the IMAP client with its dependencies is some 15 MiB of a server that
  // may never use it (bench row 4a, issue 19).
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({
    host: address.host,
    port: address.port,
    secure: address.tls === 'implicit',
    doSTARTTLS: address.tls === 'starttls' ? true : undefined,
    servername: isIP(address.host) === 0 ? address.host : undefined,
    tls: { rejectUnauthorized: !row.insecure, minVersion: 'TLSv1.2' },
    auth: await credentialsOf(row, address),
    logger: false,
    disableAutoIdle: true,
    // IDLE is renewed (or, where the server has no IDLE, NOOP polls) at this interval.
    maxIdleTime: config.mailboxPollSeconds * 1000,
    connectionTimeout: 30_000,
    greetingTimeout: 16_000,
    // No answer holds more than a message and its framing.
    maxLiteralSize: config.maxMessageBytes + 1024 * 1024,
    clientInfo: { name: 'casegate' },
  });
  // An error after connecting (a dropped socket) ends the connection: the watcher sees `usable` go false.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    client.close();
    throw asMailboxError(err, address);
  }
  return client;
}

/** Any error of the IMAP client as a MailboxError with an explanation. */
export function asMailboxError(err: unknown, address: MailboxAddress): MailboxError {
  if (err instanceof MailboxError) return err;
  const e = (err ?? {}) as MailboxFailure;
  return new MailboxError(explainMailboxFailure({ code: e.code, authenticationFailed: e.authenticationFailed, responseText: e.responseText, message: String(e.message ?? err) }, address));
}

async function credentialsOf(row: MailboxRow, address: MailboxAddress): Promise<AuthOptions> {
  if (row.tokenCommand !== null) return { user: address.user, accessToken: await runTokenCommand(row.tokenCommand) };
  const file = row.passwordFile ?? '';
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new MailboxError(`cannot read the password file ${file} (${(err as NodeJS.ErrnoException).code}); give casegate's user read access to it`);
  }
  // The password is the file's first line: an editor's final newline is not part of it.
  const pass = text.split(/\r?\n/, 1)[0] ?? '';
  if (pass === '') throw new MailboxError(`the password file ${file} is empty; write the mailbox's password in it`);
  return { user: address.user, pass };
}

/** Runs the token command with `sh -c`; its stdout, trimmed, is the access token. */
export function runTokenCommand(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', command], { timeout: TOKEN_COMMAND_TIMEOUT_MS, maxBuffer: 64 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const why = err.killed ? `did not finish within ${TOKEN_COMMAND_TIMEOUT_MS / 1000} s` : `exited with ${err.code ?? err.signal}`;
        const said = stderr.trim().split('\n')[0]?.slice(0, 200) ?? '';
        reject(new MailboxError(`the token command ${why}${said ? ` (${said})` : ''}; run it by hand to see why, e.g. an expired refresh token`));
        return;
      }
      const token = stdout.trim();
      if (token === '' || /\s/.test(token)) {
        reject(new MailboxError('the token command printed no access token; it must print the token alone on stdout'));
        return;
      }
      resolve(token);
    });
  });
}
