// A small raw-socket SMTP client for load: one connection sends many messages, pipelining
// MAIL/RCPT/DATA, and times each message from the write of its final "." to the server's answer.
import net from 'node:net';

export interface Reply {
  code: number;
  text: string;
}

export interface SendResult {
  code: number;
  /** Milliseconds from sending the end-of-data "." to receiving the answer. */
  latencyMs: number;
  /** performance.now() when the answer arrived. */
  at: number;
}

export interface Envelope {
  mailFrom: string;
  rcpt: string;
}

/** One SMTP connection, after its greeting and EHLO. */
export class SmtpSession {
  private buffer = '';
  private lines: string[] = [];
  private waiters: { resolve: (r: Reply) => void; reject: (err: Error) => void }[] = [];
  private replies: Reply[] = [];
  private closed: Error | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  static async open(port: number, host = '127.0.0.1'): Promise<SmtpSession> {
    const socket = net.connect({ port, host });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const session = new SmtpSession(socket);
    expect(await session.reply(), 220, 'greeting');
    session.write('EHLO bench.localhost\r\n');
    expect(await session.reply(), 250, 'EHLO');
    return session;
  }

  /** Sends one message (dot-stuffed, CRLF line ends, without the final "."); resolves with its answer. */
  async send(envelope: Envelope, data: Buffer): Promise<SendResult> {
    this.write(`MAIL FROM:<${envelope.mailFrom}>\r\nRCPT TO:<${envelope.rcpt}>\r\nDATA\r\n`);
    const mail = await this.reply();
    const rcpt = await this.reply();
    const go = await this.reply();
    if (go.code !== 354) {
      // the server refused the envelope; DATA was refused too (503), so nothing was sent
      return { code: mail.code >= 400 ? mail.code : rcpt.code, latencyMs: 0, at: performance.now() };
    }
    await this.writeData(data);
    const start = performance.now();
    this.write('.\r\n');
    const done = await this.reply();
    const at = performance.now();
    return { code: done.code, latencyMs: at - start, at };
  }

  async quit(): Promise<void> {
    if (this.closed) return;
    this.write('QUIT\r\n');
    await this.reply().catch(() => undefined);
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private write(text: string): void {
    this.socket.write(text, 'latin1');
  }

  /** Writes the message in chunks, waiting for the socket to drain. */
  private async writeData(data: Buffer): Promise<void> {
    const chunk = 256 * 1024;
    for (let i = 0; i < data.length; i += chunk) {
      if (!this.socket.write(data.subarray(i, i + chunk))) {
        await new Promise<void>((resolve, reject) => {
          const onDrain = (): void => {
            this.socket.off('close', onClose);
            resolve();
          };
          const onClose = (): void => {
            this.socket.off('drain', onDrain);
            reject(this.closed ?? new Error('connection closed while sending'));
          };
          this.socket.once('drain', onDrain);
          this.socket.once('close', onClose);
        });
      }
    }
  }

  private reply(): Promise<Reply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.closed) return Promise.reject(this.closed);
    return new Promise<Reply>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      this.lines.push(line);
      if (line.length >= 3 && line[3] !== '-') {
        const reply = { code: Number(line.slice(0, 3)), text: this.lines.join('\n') };
        this.lines = [];
        const waiter = this.waiters.shift();
        if (waiter) waiter.resolve(reply);
        else this.replies.push(reply);
      }
    }
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.closed = err;
    for (const waiter of this.waiters.splice(0)) waiter.reject(err);
  }
}

function expect(reply: Reply, code: number, what: string): void {
  if (reply.code !== code) throw new Error(`${what}: expected ${code}, got ${reply.text}`);
}

/** The message as it goes on the wire inside DATA: CRLF line ends, dot-stuffed, ending in CRLF. */
export function wireData(message: string | Buffer): Buffer {
  let text = Buffer.isBuffer(message) ? message.toString('latin1') : message;
  text = text.replace(/\r?\n/g, '\r\n');
  if (!text.endsWith('\r\n')) text += '\r\n';
  text = text.replace(/(^|\r\n)\./g, '$1..');
  return Buffer.from(text, 'latin1');
}

export interface LoadOptions {
  port: number;
  sessions: number;
  /** Messages each session sends over its one connection. */
  perSession: number;
  /** Stop early after this many milliseconds (messages in flight finish). */
  maxMs?: number;
  /** The envelope and wire data of message `i` (0-based, unique across sessions). */
  message: (i: number) => { envelope: Envelope; data: Buffer };
  /** Keep sending until this resolves, instead of stopping after `perSession` messages. */
  until?: Promise<unknown>;
}

export interface LoadResult {
  sent: number;
  /** performance.now() when the first message was sent (after every session's greeting and EHLO). */
  startedAt: number;
  elapsedMs: number;
  msgsPerSec: number;
  latencies: SendResult[];
  /** Answer code → count. */
  codes: Record<number, number>;
  errors: string[];
}

/**
 * Opens `sessions` connections (their greetings are not timed), then sends from all of them at
 * once and measures the whole wall time.
 */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const sessions = await Promise.all(Array.from({ length: o.sessions }, () => SmtpSession.open(o.port)));
  let next = 0;
  let stopped = false;
  void o.until?.then(() => (stopped = true));
  const latencies: SendResult[] = [];
  const codes: Record<number, number> = {};
  const errors: string[] = [];
  const start = performance.now();
  const deadline = o.maxMs === undefined ? Infinity : start + o.maxMs;
  await Promise.all(
    sessions.map(async (session) => {
      for (let n = 0; o.until ? !stopped : n < o.perSession; n++) {
        if (performance.now() > deadline) break;
        const m = o.message(next++);
        try {
          const r = await session.send(m.envelope, m.data);
          latencies.push(r);
          codes[r.code] = (codes[r.code] ?? 0) + 1;
        } catch (err) {
          errors.push((err as Error).message);
          return;
        }
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  await Promise.all(sessions.map((s) => s.quit().catch(() => s.destroy())));
  const sent = latencies.length;
  return { sent, startedAt: start, elapsedMs, msgsPerSec: (sent / elapsedMs) * 1000, latencies, codes, errors };
}
