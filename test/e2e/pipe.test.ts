// Pipe mode: `casegate ingest` on a message file, with the sysexits codes of SPEC §4.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startIngest } from '../helpers/cli.js';
import { loadConfig } from '../../src/config.js';
import { ANN, EVE, SUPPORT, createCase } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { createContact } from '../../src/admin/contacts.js';
import { addRoutingAddress } from '../../src/admin/routing.js';
import { tempDir } from '../helpers/tempDir.js';
import { blobsInDatabase, execSql, inTx, newDatabase, openTestDb, query } from '../helpers/testDb.js';

let dir: string;
let removeDir: () => void;
let db: string;
let caseAddress: string;

beforeEach(async () => {
  ({ dir, cleanup: removeDir } = tempDir('pipe'));
  db = await newDatabase(dir);
  const config = loadConfig({ db });
  const handle = await openTestDb(db, dir);
  await inTx(handle, createContact, { email: ANN, firstName: 'Ann', lastName: 'Archer' });
  await inTx(handle, addRoutingAddress, config, { address: SUPPORT });
  caseAddress = (await createCase(handle, config, { subject: 'Printer on floor 3 is jammed', contact: ANN })).address;
  await handle.close();
});
afterEach(() => removeDir());

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

describe('casegate ingest exit codes', () => {
  it('0: stored, and the same message again is still 0 (duplicate)', async () => {
    const eml = file('reply.eml', mail({ from: ANN, messageId: '<pipe-1@acme.example>' }));
    const first = await runCli(['ingest', '--rcpt', caseAddress, '--mail-from', ANN, eml], { db });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/250 2\.6\.0 added to case 00001001/);
    const again = await runCli(['ingest', '--json', '--rcpt', caseAddress, '--mail-from', ANN, eml], { db });
    expect(again.code).toBe(0);
    expect(again.json()[0].decision).toBe('duplicate');
  });

  it('0: reads the message from stdin', async () => {
    const r = await runCli(['ingest', '--rcpt', caseAddress, '--mail-from', ANN], { db, input: mail({ from: ANN }) });
    expect(r.code).toBe(0);
  });

  it("0: the comment's author is the contact's address as stored, not the letter case of From", async () => {
    const r = await runCli(['ingest', '--rcpt', caseAddress, '--mail-from', ANN], { db, input: mail({ from: 'Ann <ANN@ACME.EXAMPLE>' }) });
    expect(r.code).toBe(0);
    const shown = await runCli(['case', 'show', '00001001', '--json'], { db });
    expect(shown.json().comments.map((c: { author: string }) => c.author)).toEqual([ANN]);
  });

  it('65: malformed message, and a message over the size limit', async () => {
    const bad = await runCli(['ingest', '--rcpt', caseAddress, file('bad.eml', Buffer.from([0, 1, 2, 3, 0xff, 10]))], { db });
    expect(bad.code).toBe(65);
    const big = await runCli(['ingest', '--rcpt', caseAddress, file('big.eml', mail({ from: ANN, body: 'z'.repeat(5000) }))], {
      db,
      env: { CASEGATE_MAX_MESSAGE_BYTES: '2048' },
    });
    expect(big.code).toBe(65);
    expect(big.stdout).toMatch(/552 5\.3\.4/);
  });

  it('67: unknown address', async () => {
    const r = await runCli(['ingest', '--rcpt', 'nobody@cases.localhost', file('m.eml', mail({ from: ANN }))], { db });
    expect(r.code).toBe(67);
    expect(r.stdout).toMatch(/550 5\.1\.1/);
  });

  it('77: refused sender', async () => {
    const r = await runCli(['ingest', '--rcpt', caseAddress, file('m.eml', mail({ from: EVE }))], { db });
    expect(r.code).toBe(77);
    expect(r.stdout).toMatch(/550 5\.7\.1 this sender may not reply here/);
  });

  it('0: a default owner that is not a user never refuses mail; the case opens unowned', async () => {
    const r = await runCli(['ingest', '--rcpt', SUPPORT, file('m.eml', mail({ from: ANN, subject: 'New problem' }))], {
      db,
      env: { CASEGATE_DEFAULT_OWNER: 'ghost@support.example' },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/250 2\.6\.0 opened case 00001002/);
    const unowned = await runCli(['case', 'list', '--unowned', '--json'], { db });
    expect(unowned.json()).toContainEqual(expect.objectContaining({ number: '00001002', owner: null, subject: 'New problem' }));
  });

  // A file where the blob folder should be: the folder store's failure (PostgreSQL's store spools elsewhere).
  it.skipIf(blobsInDatabase)('75: temporary failure (attachments cannot be stored), nothing kept', async () => {
    // The test's own open made the folder (an explicit blob folder is checked writable): a file in its place.
    fs.rmSync(path.join(dir, 'blobs'), { recursive: true, force: true });
    fs.writeFileSync(path.join(dir, 'blobs'), 'a file where the blob folder should be');
    const eml = mail({ from: ANN, subject: 'New problem', attachment: { filename: 'log.txt', contentType: 'text/plain', content: Buffer.from('x') } });
    const r = await runCli(['ingest', '--rcpt', SUPPORT, file('m.eml', eml)], { db });
    expect(r.code).toBe(75);
    expect(r.stderr).toMatch(/^casegate: temporary failure, nothing was kept: cannot store attachment content/);
    const list = await runCli(['case', 'list', '--json'], { db });
    expect(list.json()).toHaveLength(1);
    const log = await runCli(['inbound', 'list', '--json'], { db });
    expect(log.json()).toEqual([expect.objectContaining({ decision: 'refused', reason: expect.stringMatching(/^451 4\.3\.0 temporary failure/) })]);
  });

  it('75: a message that stops coming (stdin held open) times out after CASEGATE_INGEST_TIMEOUT_SECONDS, nothing kept', async () => {
    // The relay's pipe stays open after the headers and half a body; nothing more is written.
    // Bounded: killed if the timeout does not end it within 20 s.
    const child = startIngest(db, ['--rcpt', SUPPORT, '--mail-from', ANN], { CASEGATE_INGEST_TIMEOUT_SECONDS: '1' });
    // Half of a 400 KB attachment arrives, so its blob is being written when the time runs out.
    const whole = Buffer.from(mail({ from: ANN, subject: 'Stalled', attachment: { filename: 'dump.bin', contentType: 'application/octet-stream', content: Buffer.alloc(400_000, 'x') } }));
    let code: number | null;
    try {
      child.stdin.write(whole.subarray(0, Math.floor(whole.length / 2)));
      code = await child.exited;
    } finally {
      child.end();
    }
    const stdout = child.stdout();
    const stderr = child.stderr();
    expect(code, `stdout: ${stdout}\nstderr: ${stderr}`).toBe(75);
    expect(stderr).toMatch(/^casegate: temporary failure, nothing was kept: the message was not read within 1 s\n$/);
    const list = await runCli(['case', 'list', '--json'], { db });
    expect(list.json()).toHaveLength(1);
    const log = await runCli(['inbound', 'list', '--json'], { db });
    expect(log.json()).toEqual([expect.objectContaining({ decision: 'refused', reason: expect.stringMatching(/^451 4\.3\.0 temporary failure/) })]);
    // The attachment had begun to be stored (blobs/tmp exists); no file of it stays. (With contents in
    // PostgreSQL the spool file is the process's own; the rows above show nothing was kept.)
    if (!blobsInDatabase) {
      const blobs = path.join(dir, 'blobs');
      expect(fs.existsSync(path.join(blobs, 'tmp'))).toBe(true);
      expect(fs.readdirSync(blobs, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())).toEqual([]);
    }
    const help = await runCli(['--help']);
    expect(help.stdout).toMatch(/CASEGATE_INGEST_TIMEOUT_SECONDS .*\(300\)/);
  });

  it('takes --rcpt=ADDRESS as Postfix expands --rcpt=${recipient} for several recipients, and --mail-from= empty for bounces', async () => {
    const help = await runCli(['ingest', '--help']);
    expect(help.stdout).toMatch(/argv=\/usr\/bin\/env .* ingest --mail-from=\$\{sender\} --client-ip=\$\{client_address\} --helo=\$\{client_helo\} --rcpt=\$\{recipient\}/);
    const eml = file('two.eml', mail({ from: ANN, messageId: '<pipe-two@acme.example>' }));
    const r = await runCli(['ingest', `--mail-from=${ANN}`, `--rcpt=${caseAddress}`, `--rcpt=${SUPPORT}`, eml], { db });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      `${caseAddress}: 250 2.6.0 added to case 00001001`,
      expect.stringMatching(new RegExp(`^${SUPPORT}: 250 2\\.6\\.0 `)),
    ]);
    const bounce = await runCli(['ingest', '--mail-from=', `--rcpt=${caseAddress}`, file('b.eml', mail({ from: ANN }))], { db });
    expect(bounce.code).toBe(0);
    expect(bounce.stdout).toMatch(/accepted and dropped: automatic mail/);
  });

  it("a bounce with Postfix pipe's ${sender} of the null sender (MAILER-DAEMON, or empty) to a VERP address marks its row; from anyone else it is not applied", async () => {
    const handle = await openTestDb(db, dir);
    const row = (await query(handle, "SELECT id, token FROM outbox WHERE kind = 'case-created'"))[0] as { id: number; token: string };
    await execSql(handle, "UPDATE outbox SET status = 'sent' WHERE id = ?", [row.id]);
    await handle.close();
    const verp = `bounce+${row.token}@cases.localhost`;
    const dsn = file(
      'dsn.eml',
      fs.readFileSync(path.resolve(import.meta.dirname, '../../fixtures/bounces/dsn-postfix-user-unknown.eml'), 'utf8').replaceAll('q7w8e9r0t1y2u3i4o5p6a7s8', row.token),
    );
    const status = async (): Promise<string> => {
      const h = await openTestDb(db, dir);
      const got = ((await query(h, 'SELECT status FROM outbox WHERE id = ?', [row.id]))[0] as { status: string }).status;
      await h.close();
      return got;
    };
    for (const sender of [ANN, 'mailer-daemon@relay.acme-support.example']) {
      const r = await runCli(['ingest', `--mail-from=${sender}`, `--rcpt=${verp}`, dsn], { db });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/not a bounce \(not from the null sender\)/);
    }
    expect(await status()).toBe('sent');
    const r = await runCli(['ingest', '--mail-from=MAILER-DAEMON', `--rcpt=${verp}`, dsn], { db });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/permanent failure 5\.1\.1; the notification it reports on is marked bounced/);
    expect(r.stdout).not.toContain('carol@gone.example');
    expect(await status()).toBe('bounced');
  });

  it('64 when --rcpt is missing, and nothing is written', async () => {
    const r = await runCli(['ingest', file('m.eml', mail({ from: ANN }))], { db });
    expect(r.code).toBe(64);
    expect(r.stderr).toBe(`casegate: required option '--rcpt <address>' not specified; run "casegate ingest --help" for usage\n`);
    const log = await runCli(['inbound', 'list', '--json'], { db });
    expect(log.json()).toEqual([]);
  });

  it('one answer for all recipients: refused for one, stored for none', async () => {
    const r = await runCli(['ingest', '--rcpt', caseAddress, '--rcpt', 'nobody@cases.localhost', file('m.eml', mail({ from: ANN }))], { db });
    expect(r.code).toBe(67);
    const show = await runCli(['case', 'show', '00001001', '--json'], { db });
    expect(show.json().comments).toEqual([]);
  });

  it('66 with a clear message when the file does not exist', async () => {
    const r = await runCli(['ingest', '--rcpt', caseAddress, path.join(dir, 'missing.eml')], { db });
    expect(r.code).toBe(66);
    expect(r.stderr).toMatch(/^casegate: .*missing\.eml/);
  });
});
