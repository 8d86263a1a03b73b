// SPEC §9 Limits and abuse, over real sockets on loopback: slow clients from one address cannot
// lock out another address, a session is bounded, DATA must keep a minimum rate, and a client
// guessing case addresses is disconnected after CASEGATE_MAX_UNKNOWN_RECIPIENTS unknown recipients.
import { afterEach, describe, expect, it } from 'vitest';
import { createInboundServer } from '../../src/smtp/server.js';
import { createCommitter } from '../../src/db/client.js';
import { withSettings } from '../../src/config.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, countRows } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { rawSession, type RawSession } from '../helpers/smtpRaw.js';

let gw: Gateway | undefined;
const open: RawSession[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) s.end();
  await gw?.close();
  gw = undefined;
});

async function session(port: number, localAddress?: string): Promise<RawSession> {
  const s = await rawSession(port, { localAddress });
  open.push(s);
  return s;
}

/** A client that starts DATA and then sends nothing more: it holds its slot. */
async function slowClient(g: Gateway, localAddress = '127.0.0.1'): Promise<RawSession> {
  const s = await session(g.port, localAddress);
  if (s.greeting.code !== 220) return s;
  expect((await s.command('EHLO slow.example')).code).toBe(250);
  expect((await s.command(`MAIL FROM:<${ANN}>`)).code).toBe(250);
  expect((await s.command(`RCPT TO:<${g.caseAddress}>`)).code).toBe(250);
  expect((await s.command('DATA')).code).toBe(354);
  s.write('From: ann@acme.example\r\n');
  return s;
}

const comments = (g: Gateway): Promise<number> => countRows(g.db, 'comments');

describe('connections per IP address', () => {
  it('with every slot of 127.0.0.1 held by slow clients, a client from 127.0.0.2 still gets its reply stored', async () => {
    gw = await startGateway({ CASEGATE_MAX_CONNECTIONS: '25', CASEGATE_MAX_CONNECTIONS_PER_IP: '20' });
    const g = gw;
    const slow = [];
    for (let i = 0; i < 25; i++) slow.push(await slowClient(g));
    const held = slow.filter((s) => s.greeting.code === 220);
    const refused = slow.filter((s) => s.greeting.code !== 220);
    expect(held).toHaveLength(20);
    expect(refused.map((s) => s.greeting.code)).toEqual([421, 421, 421, 421, 421]);
    expect(refused[0]?.greeting.text).toMatch(/^4\.7\.0 too many connections from your address/);

    const before = await comments(g);
    const other = await session(g.port, '127.0.0.2');
    expect(other.greeting.code).toBe(220);
    const r = await other.send(mail({ from: ANN, body: 'From the other address.' }), { from: ANN, to: [g.caseAddress] });
    expect(r.code).toBe(250);
    expect(await comments(g)).toBe(before + 1);
  });

  it('a slot is given back when its connection closes', async () => {
    gw = await startGateway({ CASEGATE_MAX_CONNECTIONS_PER_IP: '2' });
    const a = await session(gw.port);
    const b = await session(gw.port);
    expect((await session(gw.port)).greeting.code).toBe(421);
    a.end();
    await a.closed(2000);
    b.end();
    await b.closed(2000);
    // smtp-server runs onClose after the socket closed: give it a few rounds of the event loop.
    let code = 0;
    for (let i = 0; i < 50 && code !== 220; i++) {
      const c = await session(gw.port);
      code = c.greeting.code;
      c.end();
      if (code !== 220) await new Promise((r) => setTimeout(r, 20));
    }
    expect(code).toBe(220);
  });
});

describe('a session is bounded', () => {
  it('closes a session past CASEGATE_SESSION_SECONDS with 421 4.4.2, even in the middle of DATA', async () => {
    gw = await startGateway({ CASEGATE_SESSION_SECONDS: '1', CASEGATE_MIN_DATA_RATE: '0' });
    const s = await slowClient(gw);
    const r = await s.reply(5000);
    expect(r.code).toBe(421);
    expect(r.text).toMatch(/^4\.4\.2 session longer than 1 seconds/);
    expect(await s.closed(5000)).toBe(true);
  });
});

describe('DATA must keep a minimum rate', () => {
  it('disconnects a client that dribbles its message with 421 and keeps nothing of it', async () => {
    gw = await startGateway();
    const g = gw;
    // A second server on the same database with a short rate window (10 s in production).
    const config = withSettings(g.config, { minDataRate: 1000 });
    const server = createInboundServer({ db: g.db, config, committer: createCommitter(g.db) }, { port: 0, dataRateWindowMs: 200 });
    const { port } = await server.start();
    try {
      const before = await comments(g);
      const s = await session(port);
      await s.command('EHLO slow.example');
      await s.command(`MAIL FROM:<${ANN}>`);
      await s.command(`RCPT TO:<${g.caseAddress}>`);
      expect((await s.command('DATA')).code).toBe(354);
      const text = mail({ from: ANN, body: 'slow' });
      let reply: { code: number; text: string } | null = null;
      const got = s.reply(10_000).then((r) => (reply = r));
      for (let i = 0; i < 100 && reply === null; i++) {
        s.write(text.slice(i, i + 1));
        await new Promise((r) => setTimeout(r, 50));
      }
      await got;
      expect(reply).toMatchObject({ code: 421 });
      expect((reply as unknown as { text: string }).text).toMatch(/^4\.4\.2 message data arrives slower than 1000 bytes per second/);
      expect(await s.closed(5000)).toBe(true);
      expect(await comments(g)).toBe(before);
    } finally {
      await server.stop();
    }
  });

  it('takes a message sent at a normal pace under the same rule', async () => {
    gw = await startGateway();
    const config = withSettings(gw.config, { minDataRate: 1000 });
    const server = createInboundServer({ db: gw.db, config, committer: createCommitter(gw.db) }, { port: 0, dataRateWindowMs: 200 });
    const { port } = await server.start();
    try {
      const s = await session(port);
      expect((await s.send(mail({ from: ANN }), { from: ANN, to: [gw.caseAddress] })).code).toBe(250);
    } finally {
      for (const s of open.splice(0)) s.end();
      await server.stop();
    }
  });
});

describe('unknown recipients', () => {
  it('answers 550 to each guess, then 421 at the tenth and closes the connection', async () => {
    gw = await startGateway();
    const s = await session(gw.port);
    await s.command('EHLO guesser.example');
    await s.command(`MAIL FROM:<${ANN}>`);
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await s.command(`RCPT TO:<case+guess${i}@${gw.config.domain}>`);
      codes.push(r.code);
      if (r.code === 421) {
        expect(r.text).toMatch(/^4\.7\.0 too many unknown recipients in this session \(10\)/);
        break;
      }
    }
    expect(codes).toEqual([550, 550, 550, 550, 550, 550, 550, 550, 550, 421]);
    expect(await s.closed(5000)).toBe(true);
  });

  it('counts per session: a new connection starts again, known recipients do not count', async () => {
    gw = await startGateway({ CASEGATE_MAX_UNKNOWN_RECIPIENTS: '3' });
    const s = await session(gw.port);
    await s.command('EHLO guesser.example');
    await s.command(`MAIL FROM:<${ANN}>`);
    const codes = [];
    for (const to of [`case+x1@${gw.config.domain}`, gw.caseAddress, `case+x2@${gw.config.domain}`, gw.caseAddress, `case+x3@${gw.config.domain}`]) {
      codes.push((await s.command(`RCPT TO:<${to}>`)).code);
    }
    expect(codes).toEqual([550, 250, 550, 250, 421]);
    const t = await session(gw.port);
    await t.command('EHLO guesser.example');
    await t.command(`MAIL FROM:<${ANN}>`);
    expect((await t.command(`RCPT TO:<case+x4@${gw.config.domain}>`)).code).toBe(550);
  });
});
