// A real casegate HTTP server (Web-to-Case and API) on 127.0.0.1 port 0 over a test database,
// seeded like test/helpers/gateway.ts (account Acme, contacts Ann and Bob, Ann's case with
// collaborator Bob), with a fixed clock for the rate limits and a captured request log.
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { createAccount } from '../../src/admin/accounts.js';
import { createContact } from '../../src/admin/contacts.js';
import { createApiKey } from '../../src/admin/apiKeys.js';
import { createGateway } from '../../src/app.js';
import { ANN, BOB, addCollaborator, createCase } from './seed.js';
import { tempDir } from './tempDir.js';
import { engineEnv, newDatabase, openTestDb } from './testDb.js';

export interface HttpGateway {
  dir: string;
  db: Db;
  config: Config;
  base: string;
  caseNumber: string;
  /** Request log lines. */
  log: string[];
  /** A key with every permission. */
  key: string;
  newKey(can: string): Promise<string>;
  close(): Promise<void>;
}

/** 2026-03-04T12:00:00Z: mid-window, mid-day, so no window ends during a test. */
export const FIXED_NOW = Date.UTC(2026, 2, 4, 12, 0, 30);

export async function startHttp(env: Record<string, string> = {}): Promise<HttpGateway> {
  const { dir, cleanup } = tempDir('http');
  const config = loadConfig({ db: await newDatabase(dir), http: 0 }, { CASEGATE_OUTBOX_DIR: path.join(dir, 'outbox'), ...engineEnv(dir), ...env });
  const db = await openTestDb(config.db, dir);
  await db.transaction(async (tx) => {
    const acme = await createAccount(tx, 'Acme');
    await createContact(tx, { account: acme.id, email: ANN, firstName: 'Ann', lastName: 'Archer', username: 'annarcher' });
    await createContact(tx, { account: acme.id, email: BOB, firstName: 'Bob', lastName: 'Baker', handle: '@bob' });
  });
  const c = await createCase(db, config, { subject: 'Printer on floor 3 is jammed', contact: ANN });
  await addCollaborator(db, config, c.number, BOB);
  const key = (await db.transaction((tx) => createApiKey(tx, 'test'))).key;
  const log: string[] = [];
  const gateway = await createGateway(config, { db, smtp: false, dispatch: false, httpOptions: { now: () => FIXED_NOW, log: (l) => log.push(l) } });
  await gateway.start();
  const where = gateway.httpAddress;
  if (where === null) throw new Error('no HTTP server started');
  return {
    dir,
    db,
    config,
    base: `http://127.0.0.1:${where.port}`,
    caseNumber: c.number,
    log,
    key,
    newKey: async (can) => (await db.transaction((tx) => createApiKey(tx, `key-${can}`, can))).key,
    async close() {
      await gateway.stop();
      await db.close();
      cleanup();
    },
  };
}

/** A JSON request with a bearer key; the answer's status, headers and parsed body. */
export async function api(
  g: HttpGateway,
  method: string,
  url: string,
  opts: { key?: string | null; body?: unknown; raw?: string } = {},
): Promise<{ status: number; headers: Headers; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes, read by the tests
  const headers: Record<string, string> = {};
  const key = opts.key === undefined ? g.key : opts.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let payload: string | undefined;
  if (opts.raw !== undefined || opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = opts.raw ?? JSON.stringify(opts.body);
  }
  const res = await fetch(`${g.base}${url}`, { method, headers, body: payload });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? null : JSON.parse(text) };
}
