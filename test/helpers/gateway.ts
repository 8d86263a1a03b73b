// A real casegate inbound server on 127.0.0.1 port 0 over a test database (test/helpers/testDb.ts), seeded with an
// account, contacts Ann and Bob, a case of Ann's with collaborator Bob and a routing address
// (the people and addresses are in seed.ts; sending mail is in smtp.ts).
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { createAccount } from '../../src/admin/accounts.js';
import { createContact } from '../../src/admin/contacts.js';
import { addRoutingAddress } from '../../src/admin/routing.js';
import { createGateway } from '../../src/app.js';
import type { Committer } from '../../src/db/client.js';
import { caseById } from '../../src/db/cases.js';
import { caseAddress } from '../../src/domain/mailNames.js';
import { createLog } from '../../src/log.js';
import { ANN, BOB, SUPPORT, addCollaborator, createCase } from './seed.js';
import { sendRaw, type SendResult } from './smtp.js';
import { tempDir } from './tempDir.js';
import { engineEnv, newDatabase, openTestDb } from './testDb.js';

export interface Gateway {
  dir: string;
  db: Db;
  config: Config;
  port: number;
  /** Where the HTTP server listens, when CASEGATE_HTTP_PORT was given (0 for any port); else null. */
  httpPort: number | null;
  /** The seeded case: contact Ann, collaborator Bob. */
  caseNumber: string;
  caseAddress: string;
  send(raw: string | Buffer, envelope: { from: string; to: string[] }, opts?: { lmtp?: boolean }): Promise<SendResult>;
  /** The gateway's log lines so far (JSON lines; text lines with CASEGATE_LOG_FORMAT=text). */
  logged: string[];
  /** The gateway's committer (on SQLite with CASEGATE_STORE_THREAD=on, its store thread: src/ingest/storeThread.ts). */
  committer: Committer;
  /** Base URL of the HTTP server when CASEGATE_HTTP_PORT is set (e.g. '0'), else null. */
  httpBase: string | null;
  close(): Promise<void>;
}

export async function startGateway(
  env: Record<string, string> = {},
  opts: {
    lmtp?: boolean;
    createContacts?: boolean;
    /** Folder for the database and its blobs instead of a new temp folder (kept). */
    dataDir?: string;
    /** SQLite: how long the gateway waits for another process's write lock. */
    busyTimeoutMs?: number;
    /** A database to use (e.g. a PostgreSQL URL of a test's own cluster) instead of a new one of the engine under test. */
    location?: string;
    /** false: seed nothing (another gateway on the same database did). */
    seed?: boolean;
    /** true: take `casegate ingest` deliveries on CASEGATE_INGEST_SOCKET (src/smtp/pipeSocket.ts); off by default. */
    ingestSocket?: boolean;
  } = {},
): Promise<Gateway> {
  const made = opts.dataDir === undefined ? tempDir('e2e') : { dir: opts.dataDir, cleanup: () => undefined };
  const { dir, cleanup } = made;
  // Sender authentication is off unless a test asks for it (test/helpers/dns.ts): no test reaches the machine's resolver.
  const location = opts.location ?? (await newDatabase(dir));
  const config = loadConfig(
    { db: location, host: '127.0.0.1', port: 0 },
    { CASEGATE_OUTBOX_DIR: path.join(dir, 'outbox'), CASEGATE_SENDER_AUTH: 'off', ...engineEnv(dir), ...env },
  );
  const db = await openTestDb(config.db, dir, { busyTimeoutMs: opts.busyTimeoutMs });
  if (opts.seed !== false) await db.transaction(async (tx) => {
    const acme = await createAccount(tx, 'Acme');
    for (const [email, firstName, lastName] of [
      [ANN, 'Ann', 'Archer'],
      [BOB, 'Bob', 'Baker'],
    ] as const) {
      await createContact(tx, { account: acme.id, email, firstName, lastName });
    }
    await addRoutingAddress(tx, config, { address: SUPPORT, createContacts: opts.createContacts === true });
  });
  const c = opts.seed !== false ? await createCase(db, config, { subject: 'Printer on floor 3 is jammed', contact: ANN }) : await firstCase(db, config);
  if (opts.seed !== false) await addCollaborator(db, config, c.number, BOB);
  const logged: string[] = [];
  const log = createLog(env.CASEGATE_LOG_FORMAT === 'text' ? 'text' : 'json', { write: (line: string) => logged.push(line) });
  const gateway = await createGateway(config, { db, lmtp: opts.lmtp, dispatch: false, log, ingestSocket: opts.ingestSocket === true });
  const { port } = (await gateway.start()) ?? { port: 0 };
  const http = gateway.httpAddress;
  return {
    dir,
    db,
    config,
    port,
    httpPort: gateway.httpAddress?.port ?? null,
    caseNumber: c.number,
    caseAddress: c.address,
    send: (raw, envelope) => sendRaw(port, raw, envelope, opts.lmtp === true),
    logged,
    committer: gateway.committer,
    httpBase: http === null ? null : `http://127.0.0.1:${http.port}`,
    async close() {
      await gateway.stop();
      await db.close();
      cleanup();
    },
  };
}

/** The case another gateway seeded on the same database. */
async function firstCase(db: Db, config: Config): Promise<{ number: string; address: string }> {
  const c = await db.transaction((tx) => caseById(tx, 1), 'read');
  if (c === undefined) throw new Error('seed: false, but the database has no seeded case: start the first gateway with seed on');
  return { number: c.number, address: caseAddress(c.addressToken, config.domain) };
}
