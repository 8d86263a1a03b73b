// createGateway: one place assembles the database, the committer, the inbound server and the
// dispatcher; start() starts the server then the dispatcher, stop() undoes it in reverse order.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGateway, type Gateway } from '../src/app.js';
import { loadConfig, withSettings, type Config } from '../src/config.js';
import { createContact } from '../src/admin/contacts.js';
import { addRoutingAddress } from '../src/admin/routing.js';
import { captureTransport } from './helpers/capture.js';
import { tempDir } from './helpers/tempDir.js';
import { ANN, SUPPORT, countRows } from './helpers/seed.js';
import { mail, sendRaw } from './helpers/smtp.js';
import { inTx, newDatabase, openTestDb } from './helpers/testDb.js';

let dir: string;
let removeDir: () => void;
let config: Config;
let gateway: Gateway | null = null;

beforeEach(async () => {
  ({ dir, cleanup: removeDir } = tempDir('app'));
  // The interval is an hour: a notification sent during a test was sent because of the nudge.
  config = withSettings(loadConfig({}, {}), { db: await newDatabase(dir), blobDir: path.join(dir, 'blobs'), outboxDir: path.join(dir, 'outbox'), host: '127.0.0.1', port: 0, dispatchIntervalMs: 3600_000, senderAuth: 'off' });
  const db = await openTestDb(config.db, dir);
  await inTx(db, createContact, { email: ANN, firstName: 'Ann', lastName: 'Archer' });
  await inTx(db, addRoutingAddress, config, { address: SUPPORT });
  await db.close();
});

afterEach(async () => {
  await gateway?.stop();
  gateway = null;
  removeDir();
});

describe('a started gateway', () => {
  it('takes mail over a real socket and stores it', async () => {
    gateway = await createGateway(config, { transport: captureTransport() });
    const where = await gateway.start();
    expect(where).toMatchObject({ host: '127.0.0.1' });
    const r = await sendRaw(where?.port ?? 0, mail({ from: ANN, to: SUPPORT, subject: 'Toner is empty' }), { from: ANN, to: [SUPPORT] });
    expect(r.code).toBe(250);
    expect(await countRows(gateway.db, 'cases', 'subject = ?', 'Toner is empty')).toBe(1);
  });

  it('sends the notifications of an accepted message at once, not at the next interval', async () => {
    const transport = captureTransport();
    gateway = await createGateway(config, { transport });
    const where = await gateway.start();
    await sendRaw(where?.port ?? 0, mail({ from: ANN, to: SUPPORT, subject: 'Toner is empty' }), { from: ANN, to: [SUPPORT] });
    expect(await countRows(gateway.db, 'outbox')).toBeGreaterThan(0);
    await vi.waitFor(async () => expect(await countRows(gateway!.db, 'outbox', "status = 'sent'")).toBe(await countRows(gateway!.db, 'outbox')), { timeout: 10_000 });
    expect(transport.sent.length).toBe(await countRows(gateway.db, 'outbox'));
  });
});

describe('stop()', () => {
  it('stops the dispatcher, then the server, then closes the database it opened', async () => {
    gateway = await createGateway(config, { transport: captureTransport() });
    const { db, server, dispatcher } = gateway;
    const order: string[] = [];
    const stopDispatcher = dispatcher!.stop.bind(dispatcher);
    vi.spyOn(dispatcher!, 'stop').mockImplementation(() => {
      order.push('dispatcher');
      return stopDispatcher();
    });
    const stopServer = server!.stop.bind(server);
    vi.spyOn(server!, 'stop').mockImplementation(() => {
      order.push('server');
      return stopServer();
    });
    const close = db.close.bind(db);
    vi.spyOn(db, 'close').mockImplementation(() => {
      order.push('database');
      return close();
    });
    const where = await gateway.start();
    await gateway.stop();
    expect(order).toEqual(['dispatcher', 'server', 'database']);
    await expect(countRows(db, 'contacts')).rejects.toThrow(/closed/);
    const after = await sendRaw(where?.port ?? 0, mail({ from: ANN }), { from: ANN, to: [SUPPORT] });
    expect(after.response).toMatch(/ECONNREFUSED/);
  });

  it('may be called again, and stops each part once', async () => {
    gateway = await createGateway(config, { transport: captureTransport() });
    const serverStop = vi.spyOn(gateway.server!, 'stop');
    const dispatcherStop = vi.spyOn(gateway.dispatcher!, 'stop');
    await gateway.start();
    await Promise.all([gateway.stop(), gateway.stop()]);
    await gateway.stop();
    expect(serverStop).toHaveBeenCalledTimes(1);
    expect(dispatcherStop).toHaveBeenCalledTimes(1);
  });

  it('leaves open a database it was given', async () => {
    const db = await openTestDb(config.db, dir);
    try {
      gateway = await createGateway(config, { db, transport: captureTransport() });
      expect(gateway.db).toBe(db);
      await gateway.start();
      await gateway.stop();
      expect(await countRows(db, 'contacts')).toBe(1);
    } finally {
      await db.close();
    }
  });
});

describe('parts that are not wanted', () => {
  it('without smtp nothing listens; without dispatch nothing sends', async () => {
    gateway = await createGateway(config, { smtp: false, dispatch: false });
    expect(gateway.server).toBeNull();
    expect(gateway.dispatcher).toBeNull();
    expect(await gateway.start()).toBeNull();
    await gateway.stop();
  });
});

describe('a gateway on a config derived with withSettings', () => {
  it('keeps the settings of the base config', async () => {
    const base = loadConfig({}, { CASEGATE_MAX_RECIPIENTS: '1', CASEGATE_DOMAIN: 'help.example.com', CASEGATE_SENDER_AUTH: 'off' });
    const derived = withSettings(base, { db: config.db, outboxDir: config.outboxDir, host: '127.0.0.1', port: 0 });
    gateway = await createGateway(derived, { dispatch: false });
    const where = await gateway.start();
    const r = await sendRaw(where?.port ?? 0, mail({ from: ANN, to: SUPPORT }), { from: ANN, to: [SUPPORT, 'sales@acme-support.example'] });
    expect(r.rejected).toEqual([expect.objectContaining({ recipient: 'sales@acme-support.example', code: 452 })]);
  });
});

describe('the HTTP server (SPEC §8)', () => {
  it('starts only with a port, on loopback; its cases are sent at once; stop() closes it', async () => {
    expect((await createGateway(config, { transport: captureTransport() })).http).toBeNull();
    const transport = captureTransport();
    gateway = await createGateway(withSettings(config, { httpPort: 0 }), { transport, smtp: false });
    await gateway.start();
    const where = gateway.httpAddress;
    expect(where).toMatchObject({ host: '127.0.0.1', port: expect.any(Number) });
    const form = new FormData();
    for (const [k, v] of [
      ['name', 'Ann Archer'],
      ['email', ANN],
      ['subject', 'Toner is empty'],
    ] as const) {
      form.append(k, v);
    }
    const res = await fetch(`http://127.0.0.1:${where?.port}/web-to-case`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    // The hour-long dispatch interval has not come: the case-created email went because of the nudge.
    await vi.waitFor(() => expect(transport.sent.length).toBe(1), { timeout: 10_000 });
    await gateway.stop();
    await expect(fetch(`http://127.0.0.1:${where?.port}/web-to-case`)).rejects.toThrow();
  });
});
