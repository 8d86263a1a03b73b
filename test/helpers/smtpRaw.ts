// A raw SMTP client over a real socket, for the tests of limits and abuse: it can hold a session
// open, dribble DATA, come from another loopback address (127.0.0.2) and send many transactions
// over one connection. Every wait is bounded, so a test never hangs on it.
import net from 'node:net';

export interface Reply {
  code: number;
  text: string;
}

export interface RawSession {
  /** The greeting (220, or the 421 of a refused connection). */
  readonly greeting: Reply;
  /** Sends one command line and waits for its reply. */
  command(line: string): Promise<Reply>;
  /** Writes bytes without waiting for anything. */
  write(data: string | Buffer): void;
  /** The next reply (e.g. after the end of DATA). */
  reply(timeoutMs?: number): Promise<Reply>;
  /** EHLO, MAIL FROM, RCPT TO each, DATA, the message (dot-stuffed) and its final reply. */
  send(raw: string | Buffer, envelope: { from: string; to: string[] }): Promise<Reply>;
  /** Resolves when the server closed the connection (true) or after timeoutMs (false). */
  closed(timeoutMs: number): Promise<boolean>;
  end(): void;
}

export async function rawSession(port: number, opts: { localAddress?: string; timeoutMs?: number } = {}): Promise<RawSession> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const socket = net.connect({ host: '127.0.0.1', port, localAddress: opts.localAddress });
  socket.on('error', () => undefined);
  let buffer = '';
  let isClosed = false;
  const waiters: Array<() => void> = [];
  const wake = (): void => waiters.splice(0).forEach((w) => w());
  socket.on('data', (d: Buffer) => {
    buffer += d.toString('latin1');
    wake();
  });
  socket.on('close', () => {
    isClosed = true;
    wake();
  });

  /** One complete (possibly multi-line) reply off the buffer, or null. */
  const take = (): Reply | null => {
    const lines = buffer.split('\r\n');
    for (let i = 0; i < lines.length - 1; i++) {
      const line = lines[i] as string;
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
        buffer = lines.slice(i + 1).join('\r\n');
        const text = lines.slice(0, i + 1).map((l) => l.slice(4)).join('\n');
        return { code: Number(line.slice(0, 3)), text };
      }
    }
    return null;
  };
  const reply = (ms = timeoutMs): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no SMTP reply within ${ms} ms (buffer: ${JSON.stringify(buffer.slice(0, 200))})`)), ms);
      const check = (): void => {
        const r = take();
        if (r !== null) {
          clearTimeout(timer);
          resolve(r);
        } else if (isClosed) {
          clearTimeout(timer);
          resolve({ code: 0, text: 'connection closed' });
        } else waiters.push(check);
      };
      check();
    });

  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const greeting = await reply();
  const command = (line: string): Promise<Reply> => {
    if (!isClosed) socket.write(`${line}\r\n`);
    return reply();
  };
  let greeted = false;
  return {
    greeting,
    command,
    reply,
    write: (data) => {
      if (!isClosed) socket.write(data);
    },
    async send(raw, envelope) {
      if (!greeted) {
        const ehlo = await command('EHLO client.example');
        if (ehlo.code !== 250) return ehlo;
        greeted = true;
      }
      const mail = await command(`MAIL FROM:<${envelope.from}>`);
      if (mail.code !== 250) return mail;
      let anyRcpt = false;
      for (const to of envelope.to) {
        const r = await command(`RCPT TO:<${to}>`);
        if (r.code >= 400 && r.code < 500 && r.code !== 450 && r.code !== 452) return r;
        if (r.code === 250) anyRcpt = true;
        else if (envelope.to.length === 1) {
          await command('RSET');
          return r;
        }
      }
      if (!anyRcpt) return { code: 554, text: 'no recipient taken' };
      const data = await command('DATA');
      if (data.code !== 354) return data;
      const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
      const stuffed = dotStuff(bytes);
      socket.write(stuffed);
      socket.write(stuffed.length === 0 || stuffed.subarray(-2).toString() === '\r\n' ? '.\r\n' : '\r\n.\r\n');
      return reply();
    },
    closed: (ms) =>
      new Promise((resolve) => {
        if (isClosed) return resolve(true);
        const timer = setTimeout(() => resolve(false), ms);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
      }),
    end: () => socket.destroy(),
  };
}

/** A dot at the start of a line is doubled (RFC 5321 §4.5.2); a bare LF counts as a line end too. */
function dotStuff(bytes: Buffer): Buffer {
  const out: number[] = [];
  let lineStart = true;
  for (const b of bytes) {
    if (lineStart && b === 0x2e) out.push(0x2e);
    out.push(b);
    lineStart = b === 0x0a;
  }
  return Buffer.from(out);
}
