// Where the outbound side's mail ends up in tests. A real SMTP server on 127.0.0.1, port 0, that
// records every message it is given (envelope and raw bytes) and answers each as the test says:
// accept, 451 first then 250, always 550, ...; and a dispatcher Transport that only keeps messages.
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { SendMailOptions } from 'nodemailer';
import type { Transport } from '../../src/outbound/transport.js';

export interface Received {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  /** Message-ID header of the message, brackets included, or null. */
  messageId: string | null;
  /** The code the server answered with. */
  code: number;
  /** 1 for the first time this Message-ID arrived, 2 for the second, ... */
  attempt: number;
}

export interface Answer {
  code: number;
  message?: string;
}

export type Answerer = (msg: { messageId: string | null; attempt: number; rcptTo: string[] }) => Answer;

export const accept: Answerer = () => ({ code: 250 });
/** The first attempt of each message gets 451, later ones 250. */
export const tempFailThenAccept: Answerer = ({ attempt }) =>
  attempt === 1 ? { code: 451, message: '4.3.0 Try again later' } : { code: 250 };
export const alwaysReject: Answerer = () => ({ code: 550, message: '5.1.1 <nobody@example.com>: Recipient address rejected' });

export interface CaptureServer {
  readonly port: number;
  readonly url: string;
  /** Every message that reached the end of DATA, in order of arrival, whatever the answer. */
  readonly received: Received[];
  /** The messages that were answered 250. */
  accepted(): Received[];
  /** Resolves once `count` messages were accepted; rejects after `timeoutMs`. */
  waitForAccepted(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCaptureServer(
  options: { answer?: Answerer; delayMs?: number; /** An answer to RCPT TO for an address, or null to take it. */ rcpt?: (address: string) => Answer | null } = {},
): Promise<CaptureServer> {
  const answer = options.answer ?? accept;
  const received: Received[] = [];
  const seen = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 500,
    onRcptTo(address, _session, callback) {
      const refusal = options.rcpt?.(address.address) ?? null;
      if (refusal === null || refusal.code === 250) return callback();
      callback(Object.assign(new Error(refusal.message ?? 'refused'), { responseCode: refusal.code }));
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const messageId = headerOf(raw, 'message-id');
        const key = messageId ?? `#${received.length}`;
        const attempt = (seen.get(key) ?? 0) + 1;
        seen.set(key, attempt);
        const rcptTo = session.envelope.rcptTo.map((r) => r.address);
        const { code, message } = answer({ messageId, attempt, rcptTo });
        received.push({
          mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          rcptTo,
          raw,
          messageId,
          code,
          attempt,
        });
        const reply = (): void => {
          if (code === 250) return callback(null, message ?? 'OK: queued as captured');
          const err = Object.assign(new Error(message ?? 'refused'), { responseCode: code });
          callback(err);
        };
        if (options.delayMs) setTimeout(reply, options.delayMs);
        else reply();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;
  const accepted = (): Received[] => received.filter((r) => r.code === 250);
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    accepted,
    async waitForAccepted(count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (accepted().length < count) {
        if (Date.now() > until) throw new Error(`capture server got ${accepted().length} of ${count} messages in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first value of a header in the header section of a raw message (unfolded), or null. */
export function headerOf(raw: Buffer, name: string): string | null {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end === -1 ? raw.length : end).toString('utf8').replace(/\r?\n[ \t]+/g, ' ');
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i).trim().toLowerCase() === name.toLowerCase()) return line.slice(i + 1).trim();
  }
  return null;
}

/** A dispatcher transport that keeps what it is given and answers 250. */
export function captureTransport(): Transport & { sent: SendMailOptions[] } {
  const sent: SendMailOptions[] = [];
  return {
    sent,
    send: (message) => {
      sent.push(message);
      return Promise.resolve({ response: '250 kept' });
    },
    close: () => undefined,
  };
}
