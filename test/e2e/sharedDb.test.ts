// SPEC §9: several processes share one database without answering 451 to each other. Two
// `casegate serve` processes (each with its dispatcher) and a `casegate dispatch` on one SQLite
// file take mail at once; writers start IMMEDIATE and wait for the lock, so every message is
// answered 250, and every notification ends as one .eml file named by its Message-ID.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContact } from '../../src/admin/contacts.js';
import { BIN, startServe, type Served } from '../helpers/cli.js';
import { ANN, BOB, addCollaborator, createCase } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { rawSession } from '../helpers/smtpRaw.js';
import { tempDir, type TempDir } from '../helpers/tempDir.js';
import { engineEnvOf, inTx, newDatabase, openTestDb, queryAt } from '../helpers/testDb.js';

const MESSAGES = 120;
const CLIENTS_PER_SERVER = 6;

let served: Served[] = [];
let tmp: TempDir | undefined;
afterEach(async () => {
  await Promise.all(served.map((s) => s.stop()));
  served = [];
  tmp?.cleanup();
  tmp = undefined;
});

describe('two serve processes and a dispatch on one database', () => {
  it(`answer ${MESSAGES} of ${MESSAGES} messages 250 (none 451), and write one .eml per sent row`, async () => {
    tmp = tempDir('shared');
    const file = await newDatabase(tmp.dir);
    const outbox = path.join(tmp.dir, 'outbox');
    const env = { CASEGATE_OUTBOX_DIR: outbox, CASEGATE_DISPATCH_INTERVAL_MS: '20', CASEGATE_MIN_FREE_BYTES: '0' };
    const config = loadConfig({ db: file }, env);
    const db = await openTestDb(file, tmp.dir);
    await inTx(db, createContact, { email: ANN, firstName: 'Ann', lastName: 'Archer' });
    const c = await createCase(db, config, { subject: 'Shared database', contact: ANN });
    await addCollaborator(db, config, c.number, BOB);
    await db.close();

    served = [await startServe(file, [], env), await startServe(file, [], env)];
    const dispatch = spawn(process.execPath, [BIN, '--db', file, 'dispatch'], { env: { ...process.env, ...engineEnvOf(file), ...env }, stdio: 'ignore' });
    try {
      // Each client sends its share over one connection, one transaction after another.
      const clients = served.flatMap((s, si) =>
        Array.from({ length: CLIENTS_PER_SERVER }, async (_, ci) => {
          const codes: number[] = [];
          const session = await rawSession(s.port);
          try {
            for (let i = ci + si * CLIENTS_PER_SERVER; i < MESSAGES; i += served.length * CLIENTS_PER_SERVER) {
              const r = await session.send(mail({ from: ANN, messageId: `<shared-${i}@acme.example>`, body: `message ${i}` }), { from: ANN, to: [c.address] });
              codes.push(r.code);
            }
          } finally {
            session.end();
          }
          return codes;
        }),
      );
      const codes = (await Promise.all(clients)).flat();
      expect(codes).toHaveLength(MESSAGES);
      expect(codes.filter((x) => x === 451)).toHaveLength(0);
      expect(codes.filter((x) => x === 250)).toHaveLength(MESSAGES);

      // Every notification goes out (the three dispatchers share the rows by lease).
      let left = -1;
      for (let i = 0; i < 300 && left !== 0; i++) {
        left = (await queryAt<{ n: number }>(file, "SELECT count(*) AS n FROM outbox WHERE status <> 'sent'"))[0]?.n ?? -1;
        if (left !== 0) await new Promise((r) => setTimeout(r, 100));
      }
      const sent = await queryAt<{ id: string }>(file, "SELECT message_id AS id FROM outbox WHERE status = 'sent'");
      const comments = (await queryAt<{ n: number }>(file, 'SELECT count(*) AS n FROM comments'))[0]?.n;
      expect(left).toBe(0);
      expect(comments).toBe(MESSAGES);
      const files = fs.readdirSync(outbox).filter((n) => n.endsWith('.eml'));
      expect(files.length).toBe(sent.length);
      expect(new Set(files)).toEqual(new Set(sent.map((s) => `${s.id.replace(/^<|>$/g, '').split('@')[0]}.eml`)));
    } finally {
      dispatch.kill('SIGTERM');
      await new Promise((r) => (dispatch.exitCode !== null ? r(null) : dispatch.once('exit', r)));
    }
  }, 120_000);
});
