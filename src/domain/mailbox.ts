// IMAP mailboxes that casegate fetches from: their URL, where a message goes once taken, how long
// to wait before trying an unreachable mailbox again, and what a failure means to an admin. Pure.
import { isTaken, isTemporary, type Answer } from './answers.js';

/** A mailbox as its URL names it. */
export interface MailboxAddress {
  /** `imaps://USER@HOST:PORT/FOLDER`, the port always written: one mailbox, one text. */
  url: string;
  /** imaps: TLS from the start; imap: STARTTLS, required. */
  tls: 'implicit' | 'starttls';
  host: string;
  port: number;
  user: string;
  folder: string;
}

/** The folders a taken message is moved to, as path parts (the server's separator joins them). */
export const MAILBOX_FOLDERS = Object.freeze({
  done: Object.freeze(['casegate', 'done']),
  refused: Object.freeze(['casegate', 'refused']),
});

export type Disposition = 'done' | 'refused' | 'keep';

/**
 * Where a message goes after the pipeline answered it: taken (stored, a duplicate, or dropped on
 * purpose) to casegate/done; refused for good to casegate/refused; a temporary failure stays where
 * it is and is tried again at the next look.
 */
export function dispositionOf(answer: Answer): Disposition {
  if (isTaken(answer)) return 'done';
  return isTemporary(answer) ? 'keep' : 'refused';
}

const DEFAULT_PORT = { imaps: 993, imap: 143 } as const;

/** Reads `imaps://USER@HOST[:PORT][/FOLDER]`; a string is the problem, said so that it can be fixed. */
export function parseMailboxUrl(text: string): MailboxAddress | string {
  const example = 'imaps://support@example.com@imap.example.com/INBOX';
  const m = /^(imaps?):\/\/([^/?#]*)(?:\/([^?#]*))?$/i.exec(text.trim());
  if (m === null) return `"${text}" is not an IMAP mailbox URL; write it as imaps://USER@HOST[:PORT]/FOLDER, e.g. ${example}`;
  const scheme = (m[1] as string).toLowerCase() as 'imaps' | 'imap';
  const authority = m[2] as string;
  const at = authority.lastIndexOf('@');
  if (at <= 0) return `"${text}" names no user; write it as imaps://USER@HOST/FOLDER (a user with an @ may be written as is, or with %40)`;
  const userPart = authority.slice(0, at);
  if (userPart.includes(':')) return `"${text}" holds a password; leave it out of the URL and give it with --password-file FILE (a file only you can read)`;
  let user: string;
  let folder: string;
  try {
    user = decodeURIComponent(userPart);
    folder = decodeURIComponent(m[3] ?? '') || 'INBOX';
  } catch {
    return `"${text}" has a broken %-escape; write characters as they are, or as %XX`;
  }
  const hp = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(authority.slice(at + 1));
  if (hp === null) return `"${text}" has no valid host; write it as imaps://USER@HOST[:PORT]/FOLDER, e.g. ${example}`;
  const host = (hp[1] as string).replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const port = hp[2] === undefined ? DEFAULT_PORT[scheme] : Number(hp[2]);
  if (port < 1 || port > 65535) return `"${text}" has port ${port}; a port is from 1 to 65535`;
  if (folder.toUpperCase() === 'INBOX') folder = 'INBOX';
  if (folder.split('/')[0] === 'casegate') return `"${text}" is a folder casegate moves taken mail into; fetch from another folder, e.g. INBOX`;
  const hostText = host.includes(':') ? `[${host}]` : host;
  const url = `${scheme}://${encodeURIComponent(user).replace(/%40/g, '@')}@${hostText}:${port}/${folder.split('/').map(encodeURIComponent).join('/')}`;
  return { url, tls: scheme === 'imaps' ? 'implicit' : 'starttls', host, port, user, folder };
}

/** 127.0.0.0/8, ::1 and localhost: the only hosts whose certificate may go unchecked (--insecure, for tests). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Seconds before try number `failures + 1` after `failures` failures in a row; the schedule's last entry repeats. */
export function retryDelaySeconds(schedule: readonly number[], failures: number): number {
  if (schedule.length === 0) return 60;
  return schedule[Math.min(Math.max(failures, 1), schedule.length) - 1] as number;
}

/** What an IMAP client error looks like, as far as the explanation needs. */
export interface MailboxFailure {
  code?: string | undefined;
  authenticationFailed?: boolean | undefined;
  responseText?: string | undefined;
  message: string;
}

/** How a failure is explained, by its cause: the first row that matches. Rules are data. */
const FAILURES: ReadonlyArray<{ test: (f: MailboxFailure) => boolean; say: (f: MailboxFailure, m: MailboxAddress) => string }> = [
  {
    test: (f) => f.authenticationFailed === true,
    say: (f, m) =>
      `the server refused the login of ${m.user}${f.responseText ? ` (${f.responseText})` : ''}; check the password file or the token command of this mailbox`,
  },
  {
    test: (f) => f.code === 'ECONNREFUSED',
    say: (_f, m) => `nothing answers on ${m.host}:${m.port} (connection refused); check the host and port, and that the IMAP server runs`,
  },
  {
    test: (f) => f.code === 'ENOTFOUND' || f.code === 'EAI_AGAIN',
    say: (_f, m) => `the host name ${m.host} does not resolve; check the URL and the resolver`,
  },
  {
    test: (f) => f.code === 'CONNECT_TIMEOUT' || f.code === 'ETIMEDOUT' || f.code === 'GREETING_TIMEOUT',
    say: (_f, m) => `${m.host}:${m.port} did not answer in time; check the host, the port and any firewall between`,
  },
  {
    test: (f) => /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(f.code ?? ''),
    say: (f, m) => `the TLS certificate of ${m.host} is not trusted (${f.code}); the server needs a certificate valid for that name`,
  },
];

/** One sentence for the log and `mailbox list`: what went wrong and what to check. */
export function explainMailboxFailure(f: MailboxFailure, m: MailboxAddress): string {
  const rule = FAILURES.find((r) => r.test(f));
  return rule ? rule.say(f, m) : `${f.message}${f.code ? ` (${f.code})` : ''}`;
}
