// Where composed messages go: a pooled SMTP relay, or (the embedded default, with no relay
// configured) `.eml` files in a folder. Both have the same small interface; neither knows of the
// outbox table. A message with a `dkim` option is signed by nodemailer's signer in both: the relay
// gets it signed, and so does the file.
import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import DKIM from 'nodemailer/lib/dkim';
import type { Config } from '../config.js';
import { syncDir } from '../db/blobs.js';

export interface Transport {
  /** Delivers one message; resolves with the server's answer, rejects with its error. */
  send(message: SendMailOptions): Promise<{ response: string }>;
  /** Closes pooled connections; messages in flight are finished first. */
  close(): void;
}

export interface SmtpTransportOptions {
  maxConnections?: number;
  /** Milliseconds to wait for the TCP connection, the greeting and each answer. */
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
}

/** Pooled SMTP to the relay at `url` (`smtp://host:port` or `smtps://…`). */
export function createSmtpTransport(url: string, options: SmtpTransportOptions = {}): Transport {
  const transporter = nodemailer.createTransport({
    pool: true,
    url,
    maxConnections: options.maxConnections ?? 5,
    maxMessages: 100,
    connectionTimeout: options.connectionTimeoutMs ?? 30_000,
    greetingTimeout: options.greetingTimeoutMs ?? 30_000,
    // Shorter than the dispatcher's lease, so a stuck send fails before another dispatcher may
    // take the row over.
    socketTimeout: options.socketTimeoutMs ?? 60_000,
    disableUrlAccess: true,
  });
  return {
    async send(message) {
      const info = await transporter.sendMail(message);
      return { response: String(info.response ?? '250 accepted') };
    },
    close: () => transporter.close(),
  };
}

/**
 * Writes each message as `<id>.eml` into `dir`, `<id>` being the local part of its Message-ID (our
 * token): built in full under a dot-name, fsynced, then renamed into place, so that a reader of the
 * folder never sees half a message, and a message sent again (after a crash between the write and
 * the `sent` mark) replaces its file instead of adding one. The file is the message as it would be
 * sent; its envelope sender is the VERP address named by its token.
 */
export function createFolderTransport(dir: string): Transport {
  let ready: Promise<unknown> | null = null;
  return {
    async send(message) {
      ready ??= fs.mkdir(dir, { recursive: true });
      await ready;
      // Lines end in CRLF throughout, as on the wire (a 7bit text part keeps the LFs it was given).
      const built = await new MailComposer(message).compile().build();
      const lines = Buffer.from(built.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
      // Signed as written, after the line ends are made CRLF: the file is what a receiver verifies.
      const raw = message.dkim ? await streamToBuffer(new DKIM(message.dkim).sign(lines)) : lines;
      const name = `${fileIdOf(message)}.eml`;
      const temp = path.join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
      try {
        const handle = await fs.open(temp, 'wx', 0o644);
        try {
          await handle.writeFile(raw);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await fs.rename(temp, path.join(dir, name));
      } catch (err) {
        await fs.rm(temp, { force: true });
        throw err;
      }
      await syncDir(dir);
      return { response: `250 written to ${name}` };
    },
    close: () => undefined,
  };
}

function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('error', reject);
    stream.once('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** The transport the configuration asks for: the relay when one is set, else the folder. */
export function createConfiguredTransport(config: Pick<Config, 'smtpUrl' | 'outboxDir'>): Transport {
  return config.smtpUrl ? createSmtpTransport(config.smtpUrl) : createFolderTransport(config.outboxDir);
}

/**
 * The local part of the Message-ID (our token), made safe for a file name; one that had to be
 * changed or cut gets a hash of the whole id, so that two ids never share a name. Without a
 * Message-ID, a random name.
 */
function fileIdOf(message: SendMailOptions): string {
  const id = typeof message.messageId === 'string' ? message.messageId : '';
  if (id === '') return `no-id-${randomBytes(12).toString('hex')}`;
  return emlIdOf(id);
}

/** The name of the .eml file the folder transport writes for the message with this Message-ID (`prune` removes it by this name). */
export function emlFileName(messageId: string): string {
  return `${emlIdOf(messageId)}.eml`;
}

function emlIdOf(id: string): string {
  const local = id.replace(/^<|>$/g, '').split('@')[0] ?? '';
  const safe = local.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 64);
  if (safe === local && safe !== '') return safe;
  return `${safe}-${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;
}
