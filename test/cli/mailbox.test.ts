// `casegate mailbox add|list|remove|test`, `casegate fetch --once` and `serve` watching a mailbox,
// with the real binary against a real Dovecot (test/helpers/dovecot.ts) started once for the file.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, expectRefused, okJson, startServe, useTestDb, type TestDb } from '../helpers/cli.js';
import { dovecotUnavailable, startDovecot, type DovecotInstance } from '../helpers/dovecot.js';
import { mail } from '../helpers/smtp.js';
import { ANN, SUPPORT } from '../helpers/seed.js';
import { engineEnvOf, queryAt } from '../helpers/testDb.js';

const skip = dovecotUnavailable();
const PASSWORD = 's3cret-imap-password';
let imap: DovecotInstance;
beforeAll(async () => {
  if (skip) return;
  imap = await startDovecot({ admin: PASSWORD, idle: PASSWORD, batch: PASSWORD });
}, 30_000);
afterAll(async () => imap?.cleanup());

/** A routing address, Ann, and a password file in the test's folder. */
async function prepare(t: TestDb): Promise<string> {
  expect((await t.run('routing', 'add', SUPPORT)).code).toBe(0);
  expect((await t.run('contact', 'create', '--email', ANN, '--first', 'Ann', '--last', 'Archer')).code).toBe(0);
  const file = path.join(t.dir, 'imap-password');
  fs.writeFileSync(file, `${PASSWORD}\n`, { mode: 0o600 });
  return file;
}

describe.skipIf(skip)('casegate mailbox', () => {
  const db = useTestDb();

  it('add, list (never a password), test, remove', async () => {
    const t = db();
    const file = await prepare(t);
    const added = await okJson(t, 'mailbox', 'add', imap.url('admin'), '--to', SUPPORT, '--password-file', file, '--insecure');
    expect(added).toMatchObject({ id: 1, url: `imaps://admin@127.0.0.1:${imap.port}/INBOX`, to: SUPPORT, auth: 'password-file', lastError: null });
    const listed = await t.run('mailbox', 'list');
    expect(listed.stdout).toContain(`imaps://admin@127.0.0.1:${imap.port}/INBOX`);
    expect(listed.stdout + JSON.stringify(await okJson(t, 'mailbox', 'list'))).not.toContain(PASSWORD);
    await imap.append('admin', mail({ from: ANN, subject: 'Waiting' }));
    const tested = await okJson(t, 'mailbox', 'test', '1');
    expect(tested).toMatchObject({ waiting: 1, idle: true });
    expect(await imap.count('admin', 'INBOX')).toBe(1); // test moves nothing
    expect((await t.run('mailbox', 'remove', imap.url('admin'))).stdout).toMatch(/^mailbox 1 removed/);
    expect(await okJson(t, 'mailbox', 'list')).toEqual([]);
  });

  it('refuses what could not work, each with what to do', async () => {
    const t = db();
    const file = await prepare(t);
    await t.refused(['mailbox', 'add', 'imaps://admin:pw@imap.example.com/INBOX', '--to', SUPPORT, '--password-file', file], /holds a password; leave it out of the URL and give it with --password-file/);
    await t.refused(['mailbox', 'add', 'imaps://admin@imap.example.com/INBOX', '--to', SUPPORT], /give exactly one of --password-file FILE .* or --token-command CMD/);
    await t.refused(['mailbox', 'add', 'imaps://admin@imap.example.com/INBOX', '--to', SUPPORT, '--password-file', file, '--insecure'], /--insecure .* only for a loopback host, not imap\.example\.com/);
    await t.refused(['mailbox', 'add', 'imaps://admin@imap.example.com/INBOX', '--to', 'sales@example.com', '--password-file', file], /is neither a routing address nor a case address.*casegate routing add sales@example\.com/);
    await t.refused(['mailbox', 'add', 'pop3://admin@imap.example.com/', '--to', SUPPORT, '--password-file', file], /is not an IMAP mailbox URL; write it as imaps:\/\/USER@HOST/);
    await t.refused(['mailbox', 'add', 'imaps://admin@imap.example.com/INBOX', '--to', SUPPORT, '--password-file', path.join(t.dir, 'missing')], /cannot read the password file .*missing \(ENOENT\)/);
    // A wrong password: `mailbox test` says so and exits non-zero.
    const wrong = path.join(t.dir, 'wrong');
    fs.writeFileSync(wrong, 'nope\n');
    expect((await t.run('mailbox', 'add', imap.url('admin'), '--to', SUPPORT, '--password-file', wrong, '--insecure')).code).toBe(0);
    expectRefused(await t.run('mailbox', 'test', '1'), /^casegate: mailbox imaps:\/\/admin@127\.0\.0\.1:\d+\/INBOX: the server refused the login of admin/);
  });

  it('serve watches the mailbox with IDLE: a message appended while it runs is taken within 2 s', async () => {
    const t = db();
    const file = await prepare(t);
    expect((await t.run('mailbox', 'add', imap.url('idle'), '--to', SUPPORT, '--password-file', file, '--insecure')).code).toBe(0);
    // Polling every 5 minutes: only IDLE can bring the message in within the test.
    const served = await startServe(t.db, ['--no-dispatch'], { CASEGATE_OUTBOX_DIR: path.join(t.dir, 'outbox'), CASEGATE_MAILBOX_POLL_SECONDS: '300' });
    try {
      // The first (empty) pass is over and IDLE has begun once the mailbox row says it was looked at.
      await until(async () => (await queryAt<{ n: number }>(t.db, 'SELECT count(*) AS n FROM mailboxes WHERE last_checked_at IS NOT NULL'))[0]?.n == 1, 10_000);
      await new Promise((r) => setTimeout(r, 200));
      await imap.append('idle', mail({ from: ANN, subject: 'Projector bulb is out' }));
      await until(async () => (await imap.count('idle', 'casegate/done')) === 1, 2_000);
      expect(await queryAt(t.db, "SELECT id FROM cases WHERE subject = 'Projector bulb is out'")).toHaveLength(1);
    } finally {
      await served.stop();
    }
    expect(served.stderr()).not.toMatch(/unexpected|trying again/);
  });

  it('fetch --once killed with SIGKILL mid-batch, then run again: each message is taken once', async () => {
    const t = db();
    const file = await prepare(t);
    expect((await t.run('mailbox', 'add', imap.url('batch'), '--to', SUPPORT, '--password-file', file, '--insecure')).code).toBe(0);
    const N = 60;
    // No Message-ID: a message killed between its commit and its move is known again by its UID alone.
    const raw = (i: number): string => mail({ from: ANN, subject: `Ticket ${i}`, body: `Problem number ${i}.` }).replace(/^Message-ID: [^\r\n]*\r\n/m, '');
    await imap.appendAll('batch', Array.from({ length: N }, (_, i) => raw(i + 1)));
    const env = { ...process.env, ...engineEnvOf(t.db), CASEGATE_SENDER_AUTH: 'off', CASEGATE_OUTBOX_DIR: path.join(t.dir, 'outbox') };
    const child = spawn(process.execPath, [BIN, '--db', t.db, 'fetch', '--once'], { env, stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    await until(async () => (await queryAt<{ n: number }>(t.db, 'SELECT count(*) AS n FROM inbound'))[0]?.n as number >= 10, 20_000);
    child.kill('SIGKILL');
    await exited;
    const left = await imap.count('batch', 'INBOX');
    expect(left, 'the kill came after the batch ended').toBeGreaterThan(0);
    const again = await t.run('fetch', '--once', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(again.json()[0]).toMatchObject({ error: null, refused: 0, kept: 0 });
    const subjects = (await queryAt<{ subject: string }>(t.db, "SELECT subject FROM cases WHERE subject LIKE 'Ticket %'")).map((r) => r.subject).sort();
    expect(subjects).toEqual(Array.from({ length: N }, (_, i) => `Ticket ${i + 1}`).sort());
    expect(await imap.count('batch', 'INBOX')).toBe(0);
    expect(await imap.count('batch', 'casegate/done')).toBe(N);
  });
});

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
