// `casegate inbound list|show` and `casegate outbox list|retry` over the real binary.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDb } from '../../src/db/client.js';
import { createDispatcher } from '../../src/outbound/dispatcher.js';
import { createSmtpTransport } from '../../src/outbound/transport.js';
import { startCaptureServer } from '../helpers/capture.js';
import { useTestDb, type TestDb } from '../helpers/cli.js';
import { mail } from '../helpers/smtp.js';
import { onPostgres } from '../helpers/testDb.js';

const db = useTestDb();

async function seedCase(): Promise<string> {
  const t = db();
  await t.run('contact', 'create', '--email', 'ann@acme.example', '--first', 'Ann', '--last', 'Archer');
  return (await t.run('case', 'create', '--subject', 'Printer', '--contact', 'ann@acme.example', '--json')).json().address;
}

/**
 * One pass of the real dispatcher over the test's database against a relay that answers 451 to
 * everything, with the retry schedule 0,0: every due row fails after three attempts.
 */
async function failDeliveries(t: TestDb): Promise<{ sent: number; retried: number; failed: number; held: number }> {
  const relay = await startCaptureServer({ answer: () => ({ code: 451, message: '4.3.0 Try again later' }) });
  const config = loadConfig({ db: t.db }, { CASEGATE_SMTP_URL: relay.url, CASEGATE_RETRY_SCHEDULE: '0,0' });
  const sqlite = await openDb(t.db);
  const dispatcher = createDispatcher({ db: sqlite, config, transport: createSmtpTransport(relay.url) });
  try {
    return await dispatcher.runOnce();
  } finally {
    await dispatcher.stop();
    await sqlite.close();
    await relay.close();
  }
}

describe('inbound list and show', () => {
  it('lists every message that reached DATA with its decision, reason and case, newest first', async () => {
    const t = db();
    const address = await seedCase();
    const eml = path.join(t.dir, 'm.eml');
    fs.writeFileSync(eml, mail({ from: 'ann@acme.example', messageId: '<one@acme.example>' }));
    await t.run('ingest', '--rcpt', address, eml);
    fs.writeFileSync(eml, mail({ from: 'eve@evil.example', messageId: '<two@evil.example>' }));
    await t.run('ingest', '--rcpt', address, eml);

    const list = (await t.run('inbound', 'list', '--json')).json();
    expect(list).toEqual([
      expect.objectContaining({ messageId: '<two@evil.example>', from: 'eve@evil.example', rcpt: address, decision: 'refused', case: '00001001', reason: expect.stringMatching(/^550 5\.7\.1 this sender may not reply here/) }),
      expect.objectContaining({ messageId: '<one@acme.example>', from: 'ann@acme.example', decision: 'accepted', case: '00001001', reason: '250 2.6.0 added to case 00001001' }),
    ]);
    expect((await t.run('inbound', 'list', '--status', 'Refused', '--json')).json()).toHaveLength(1);

    const shown = (await t.run('inbound', 'show', String(list[0].id), '--json')).json();
    expect(shown.headers).toMatch(/^From: eve@evil\.example/m);
    const human = await t.run('inbound', 'show', String(list[0].id));
    expect(human.stdout).toMatch(/decision: +refused/);
  });

  it('refuses a bad status, limit or id with a sentence', async () => {
    const t = db();
    await t.refused(['inbound', 'list', '--status', 'lost'], /^casegate: --status "lost" is not one of accepted, refused, ignored, duplicate; /);
    await t.refused(['inbound', 'list', '--limit', 'abc'], /^casegate: --limit "abc" is not a number of rows; /);
    await t.refused(['inbound', 'show', '999'], /^casegate: no inbound log entry 999; see "casegate inbound list"$/);
  });
});

describe('outbox list and retry', () => {
  it('shows the rows of SPEC §6 and sends a failed row again from attempt 0', async () => {
    const t = db();
    await seedCase();
    const [row] = (await t.run('outbox', 'list', '--json')).json();
    expect(row).toMatchObject({ case: '00001001', recipient: 'ann@acme.example', kind: 'case-created', status: 'pending', attempts: 0, lastError: null });
    expect(await failDeliveries(t)).toEqual({ sent: 0, retried: 2, failed: 1, held: 0 });
    expect((await t.run('outbox', 'list', '--json')).json()).toEqual([expect.objectContaining({ id: row.id, status: 'failed', attempts: 3 })]);
    await t.refused(['outbox', 'retry', '999'], /^casegate: .*999/);
    const retried = (await t.run('outbox', 'retry', String(row.id), '--json')).json();
    expect(retried).toMatchObject({ id: row.id, status: 'pending', attempts: 0 });
  });
});

describe('init', () => {
  it('is idempotent, and (SQLite) every open sets WAL', async () => {
    const t = db();
    const again = await t.run('init', '--json');
    expect(again.code).toBe(0);
    expect(again.json()).toEqual({ db: onPostgres ? expect.stringMatching(/^postgres:\/\/casegate:\*\*\*@127\.0\.0\.1:\d+\/t_/) : t.db, migrated: true });
    if (!onPostgres) {
      const sqlite = new Database(t.db);
      expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      sqlite.close();
    }
    const before = await t.fingerprint();
    await t.run('init');
    expect(await t.fingerprint()).toEqual(before);
  });
});

describe('collaborators added at the same time', () => {
  it('never pass 20: parallel adds to a case with 19 leave exactly 20', async () => {
    const t = db();
    await seedCase();
    for (let i = 1; i <= 19; i++) await t.run('collaborator', 'add', '00001001', `p${i}@acme.example`);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => t.run('collaborator', 'add', '00001001', `q${i}@acme.example`)));
    expect(results.filter((r) => r.code === 0)).toHaveLength(1);
    for (const r of results.filter((x) => x.code !== 0)) expect(r.stderr).toMatch(/^casegate: case 00001001 already has 20 collaborators, the most allowed; remove one first\n$/);
    expect((await t.run('collaborator', 'list', '00001001', '--json')).json()).toHaveLength(20);
    // 27 processes one after another, then six at once: more than the default 30 s on a loaded machine.
  }, 120_000);
});
