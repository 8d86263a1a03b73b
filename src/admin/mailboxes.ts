// IMAP mailboxes that casegate fetches from (`casegate mailbox add|list|remove`). A mailbox is its
// URL (no password in it), the address its mail counts as sent to, and where the secret comes
// from: a password file, or a command that prints an XOAUTH2 access token.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Tx } from '../db/engine.js';
import { caseIdByAddressToken } from '../db/cases.js';
import { allMailboxes, deleteMailbox, insertMailbox, mailboxByUrl, type MailboxRow } from '../db/mailboxes.js';
import { routingByAddress } from '../db/routing.js';
import { isEmailAddress, normalizeEmail } from '../domain/address.js';
import { caseTokenOf } from '../domain/mailNames.js';
import { isLoopbackHost, parseMailboxUrl, type MailboxAddress } from '../domain/mailbox.js';
import { conflict, invalid, notFound } from '../errors.js';

export interface NewMailbox {
  url: string;
  to: string;
  passwordFile?: string | undefined;
  tokenCommand?: string | undefined;
  insecure?: boolean | undefined;
}

/** A mailbox as `mailbox list` shows it: never a password, never a token. */
export interface MailboxRecord {
  id: number;
  url: string;
  to: string;
  /** `password-file` or `xoauth2`. */
  auth: 'password-file' | 'xoauth2';
  passwordFile: string | null;
  tokenCommand: string | null;
  insecure: boolean;
  createdAt: string;
  lastCheckedAt: string | null;
  lastError: string | null;
  fetched: number;
}

export function mailboxRecord(row: MailboxRow): MailboxRecord {
  return {
    id: row.id,
    url: row.url,
    to: row.toAddress,
    auth: row.tokenCommand !== null ? 'xoauth2' : 'password-file',
    passwordFile: row.passwordFile,
    tokenCommand: row.tokenCommand,
    insecure: row.insecure,
    createdAt: new Date(row.createdAt).toISOString(),
    lastCheckedAt: row.lastCheckedAt === null ? null : new Date(row.lastCheckedAt).toISOString(),
    lastError: row.lastError,
    fetched: row.fetchedCount,
  };
}

/** The URL read, or the problem with it as an error. */
export function requireMailboxUrl(text: string): MailboxAddress {
  const parsed = parseMailboxUrl(text);
  if (typeof parsed === 'string') throw invalid(parsed);
  return parsed;
}

export async function addMailbox(tx: Tx, config: Pick<Config, 'domain'>, input: NewMailbox, now = Date.now()): Promise<MailboxRecord> {
  const address = requireMailboxUrl(input.url);
  if ((input.passwordFile === undefined) === (input.tokenCommand === undefined)) {
    throw invalid('a mailbox needs one way to log in; give exactly one of --password-file FILE (the password, alone in a file only casegate can read) or --token-command CMD (prints an XOAUTH2 access token)');
  }
  if (input.insecure === true && !isLoopbackHost(address.host)) {
    throw invalid(`--insecure (no certificate check) is allowed only for a loopback host, not ${address.host}; give the server a certificate valid for its name`);
  }
  const passwordFile = input.passwordFile === undefined ? null : readablePasswordFile(input.passwordFile);
  const tokenCommand = input.tokenCommand === undefined ? null : input.tokenCommand.trim();
  if (tokenCommand === '') throw invalid('--token-command is empty; give a command that prints an access token, e.g. "oauth2l fetch --scope https://mail.google.com/"');
  const to = input.to.trim();
  if (!isEmailAddress(to)) throw invalid(`--to "${input.to}" is not an email address; give the routing address (or case address) its mail counts as sent to`);
  if (!(await takesMail(tx, config, to))) {
    throw invalid(`--to ${to} is neither a routing address nor a case address, so its mail would all be refused; add it first with "casegate routing add ${to}"`);
  }
  if ((await mailboxByUrl(tx, address.url)) !== undefined) throw conflict(`mailbox ${address.url} is already added; remove it first to change it`);
  const row = await insertMailbox(tx, { url: address.url, toAddress: to, passwordFile, tokenCommand, insecure: input.insecure === true }, now);
  return mailboxRecord(row);
}

export async function listMailboxes(tx: Tx): Promise<MailboxRecord[]> {
  return (await allMailboxes(tx)).map(mailboxRecord);
}

/** The mailbox named by its URL (written as `mailbox add` took it) or its id. */
export async function requireMailbox(tx: Tx, ref: string): Promise<MailboxRow> {
  const rows = await allMailboxes(tx);
  const byId = /^\d+$/.test(ref) ? rows.find((r) => r.id === Number(ref)) : undefined;
  const parsed = byId === undefined ? parseMailboxUrl(ref) : null;
  const found = byId ?? (typeof parsed === 'object' && parsed !== null ? rows.find((r) => r.url === parsed.url) : undefined);
  if (found === undefined) throw notFound(`no mailbox ${ref}; see "casegate mailbox list" for the URLs and ids`);
  return found;
}

export async function removeMailbox(tx: Tx, ref: string): Promise<MailboxRecord> {
  const row = await requireMailbox(tx, ref);
  await deleteMailbox(tx, row.id);
  return mailboxRecord(row);
}

/** Mail to `to` would be taken: a routing address, or the address of a case. */
async function takesMail(tx: Tx, config: Pick<Config, 'domain'>, to: string): Promise<boolean> {
  if ((await routingByAddress(tx, to)) !== undefined) return true;
  const token = caseTokenOf(normalizeEmail(to), config.domain);
  return token !== null && (await caseIdByAddressToken(tx, token)) !== undefined;
}

/** The absolute path of a password file that can be read and holds something. */
function readablePasswordFile(file: string): string {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (err) {
    throw invalid(`cannot read the password file ${absolute} (${(err as NodeJS.ErrnoException).code}); give a file that holds the mailbox's password`);
  }
  if (text.trim() === '') throw invalid(`the password file ${absolute} is empty; write the mailbox's password in it`);
  return absolute;
}
