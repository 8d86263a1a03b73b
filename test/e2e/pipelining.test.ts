// A pipelining client (RFC 2920) sends MAIL, RCPT and DATA in one go; the gateway answers the three
// in one write (src/smtp/server.ts, repliesTogether) when it answers them in one turn of the event
// loop (SQLite; PostgreSQL's RCPT check waits for a round trip), and the message is stored as usual.
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, countRows } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';

let gw: Gateway | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await gw?.close();
  gw = undefined;
});

/** A raw SMTP client: `until(re)` resolves with what arrived once it matches, and the chunks it came in. */
function rawClient(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let buffer = '';
  const chunks: string[] = [];
  let waiter: (() => void) | null = null;
  socket.on('data', (d: Buffer) => {
    buffer += d.toString();
    chunks.push(d.toString());
    waiter?.();
  });
  const until = (re: RegExp): Promise<{ text: string; chunks: string[] }> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} within 5 s; got: ${buffer}`)), 5000);
      const check = () => {
        if (!re.test(buffer)) return;
        clearTimeout(timer);
        waiter = null;
        const got = { text: buffer, chunks: chunks.splice(0) };
        buffer = '';
        resolve(got);
      };
      waiter = check;
      check();
    });
  return { socket, until };
}

describe('pipelined commands', () => {
  it('MAIL, RCPT and DATA sent together are answered in one write, and the message is stored', async () => {
    gw = await startGateway();
    // Every write the gateway's side of a connection makes (a corked socket writes its chunks at once, with _writev).
    const serverWrites: string[][] = [];
    const write = net.Socket.prototype._write;
    const writev = net.Socket.prototype._writev;
    const fromGateway = (s: net.Socket): boolean => s.localPort === gw?.port;
    vi.spyOn(net.Socket.prototype, '_write').mockImplementation(function (this: net.Socket, chunk, encoding, cb) {
      if (fromGateway(this)) serverWrites.push([String(chunk)]);
      return write.call(this, chunk, encoding, cb);
    });
    vi.spyOn(net.Socket.prototype, '_writev').mockImplementation(function (this: net.Socket, chunks, cb) {
      if (fromGateway(this)) serverWrites.push(chunks.map((c) => String(c.chunk)));
      return writev?.call(this, chunks, cb);
    });

    const c = rawClient(gw.port);
    await c.until(/^220 /m);
    c.socket.write('EHLO client.acme.example\r\n');
    expect((await c.until(/^250 /m)).text).toMatch(/^250-PIPELINING/m);
    serverWrites.length = 0;
    c.socket.write(`MAIL FROM:<${ANN}>\r\nRCPT TO:<${gw.caseAddress}>\r\nDATA\r\n`);
    const replies = await c.until(/^354 /m);
    expect(replies.text).toMatch(/^250 [^\r\n]*\r\n250 [^\r\n]*\r\n354 [^\r\n]*\r\n$/);
    if (gw.db.dialect === 'sqlite') {
      expect(serverWrites).toHaveLength(1);
      expect(serverWrites[0]).toHaveLength(3);
      expect(replies.chunks).toHaveLength(1);
    } else {
      // PostgreSQL: the RCPT check waits for a query's round trip, so its reply (and DATA's) leaves in
      // a later turn of the event loop than MAIL's: what one turn answers still goes in one write.
      expect(serverWrites.length).toBeLessThanOrEqual(3);
    }

    const before = await countRows(gw.db, 'comments');
    c.socket.write(`${mail({ from: ANN, to: gw.caseAddress, body: 'Pipelined: the printer on floor 3 works again.' })}\r\n.\r\n`);
    expect((await c.until(/^250 /m)).text).toMatch(/^250 /);
    c.socket.end('QUIT\r\n');
    expect(await countRows(gw.db, 'comments')).toBe(before + 1);
  });
});
