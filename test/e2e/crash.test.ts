// Crash safety of ingest: `casegate serve` is killed with SIGKILL right after its answers; after a
// restart every message answered 250 is stored exactly once, and none refused is stored.
import { afterEach, describe, expect, it } from 'vitest';
import { startServe, type Served } from '../helpers/cli.js';
import { loadConfig } from '../../src/config.js';
import { ANN, EVE, createCase } from '../helpers/seed.js';
import { mail, sendRaw } from '../helpers/smtp.js';
import { createContact } from '../../src/admin/contacts.js';
import { tempDir, type TempDir } from '../helpers/tempDir.js';
import { inTx, newDatabase, openTestDb, queryAt } from '../helpers/testDb.js';

let child: Served | undefined;
let tmp: TempDir | undefined;
afterEach(async () => {
  await child?.stop();
  tmp?.cleanup();
  child = tmp = undefined;
});

describe('SIGKILL after the answers', () => {
  it('keeps every message answered 250 exactly once and nothing refused', async () => {
    tmp = tempDir('crash');
    const file = await newDatabase(tmp.dir);
    const config = loadConfig({ db: file });
    const db = await openTestDb(file, tmp.dir);
    await inTx(db, createContact, { email: ANN, firstName: 'Ann', lastName: 'Archer' });
    const address = (await createCase(db, config, { subject: 'Crash test', contact: ANN })).address;
    await db.close();

    // 40 clients at once from one address: more than the per-IP default of 20.
    const first = await startServe(file, ['--no-dispatch'], { CASEGATE_MAX_CONNECTIONS_PER_IP: '40' });
    child = first;
    const sends = Array.from({ length: 40 }, (_, i) => {
      const from = i % 5 === 4 ? EVE : ANN;
      const id = `<crash-${i}@acme.example>`;
      return sendRaw(first.port, mail({ from, messageId: id, body: `message number ${i}` }), { from, to: [address] }).then((r) => ({ id, ...r }));
    });
    const answers = await Promise.all(sends);
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));

    child = await startServe(file, ['--no-dispatch']);
    const stored = await queryAt<{ id: string; n: number }>(
      file,
      'SELECT i.message_id AS id, count(*) AS n FROM comments c JOIN inbound i ON i.id = c.inbound_id GROUP BY i.message_id',
    );
    const count = new Map(stored.map((s) => [s.id, s.n]));
    const accepted = answers.filter((a) => a.code === 250);
    const refused = answers.filter((a) => a.code >= 500);
    expect(accepted.length).toBe(32);
    expect(refused.length).toBe(8);
    for (const a of accepted) expect(count.get(a.id)).toBe(1);
    for (const a of refused) expect(count.get(a.id)).toBeUndefined();
  });
});
