// The real binary's safe defaults: a database that is not there is refused (exit 78, nothing made;
// pipe mode 75 so that the relay keeps the mail), a settings file with a typo is refused with its
// FILE:LINE (exit 78), `--version` opens nothing, `casegate config --json` tells each source.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { sharedCluster, withClient } from '../helpers/postgresCluster.js';
import { tempDir } from '../helpers/tempDir.js';
import { onPostgres } from '../helpers/testDb.js';

const tmp = tempDir('settings-cli');
afterAll(tmp.cleanup);

const MISSING = /^casegate: no casegate database at (\S+); run `casegate init --db \1` or pass the right --db/;

describe('a database that does not exist', () => {
  it.skipIf(onPostgres)('is refused by an admin command with exit 78 and the init line, and no folder or file is made', async () => {
    const db = path.join(tmp.dir, 'typo', 'casegate.db');
    const r = await runCli(['case', 'list'], { db });
    expect(r).toMatchObject({ code: 78, stdout: '' });
    expect(r.stderr).toMatch(MISSING);
    expect(r.stderr).toContain(db);
    expect(fs.existsSync(path.dirname(db))).toBe(false);
  });

  it.skipIf(onPostgres)('is a temporary failure (75) in pipe mode: the relay keeps the message while the admin fixes --db', async () => {
    const db = path.join(tmp.dir, 'casegate.db');
    const r = await runCli(['ingest', '--rcpt', 'support@cases.localhost'], { db, input: 'From: ann@acme.example\r\nSubject: hi\r\n\r\nhello\r\n' });
    expect(r.code).toBe(75);
    expect(r.stderr).toMatch(MISSING);
    expect(r.stderr).toContain('the relay keeps the message and tries again');
    expect(fs.readdirSync(tmp.dir).filter((f) => f.startsWith('casegate.db'))).toEqual([]);
  });

  it.runIf(onPostgres)('is, on PostgreSQL, a database without casegate tables: refused with exit 78 and left without tables', async () => {
    const url = await sharedCluster(inject('postgresAdminUrl')).createDatabase({ empty: true });
    const r = await runCli(['case', 'list'], { db: url });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/^casegate: no casegate database at postgres:\/\/casegate:\*\*\*@/);
    const tables = await withClient(url, (c) => c.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema IN ('public', 'drizzle')`));
    expect(tables.rows[0].n).toBe(0);
  });
});

describe('casegate --version', () => {
  it("prints package.json's version and opens no database", async () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await runCli(['--version'], { db: path.join(tmp.dir, 'none', 'x.db') });
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    expect(fs.existsSync(path.join(tmp.dir, 'none'))).toBe(false);
  });
});

describe('the settings file', () => {
  it('beside the database is read by every command: config --json names each source, without a database', async () => {
    const dir = path.join(tmp.dir, 'desk');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'casegate.conf'), '# the desk\nCASEGATE_DOMAIN = cases.example.com\nCASEGATE_SMTP_URL = smtp://mailer:hunter2@relay.example:587\n');
    const db = path.join(dir, 'casegate.db');
    const r = await runCli(['config', '--json'], { db, env: { CASEGATE_FROM: 'help@example.com' } });
    expect(r.code, r.stderr).toBe(0);
    const by = Object.fromEntries((r.json().settings as Array<{ name: string }>).map((s) => [s.name, s]));
    expect(by.CASEGATE_DOMAIN).toEqual({ name: 'CASEGATE_DOMAIN', value: 'cases.example.com', source: 'file', from: `${path.join(dir, 'casegate.conf')}:2` });
    expect(by.CASEGATE_SMTP_URL).toMatchObject({ value: 'smtp://mailer:***@relay.example:587' });
    expect(by.CASEGATE_FROM).toMatchObject({ value: 'help@example.com', source: 'environment' });
    expect(by.CASEGATE_DB).toMatchObject({ value: db, source: 'flag', from: '--db' });
    expect(r.stdout).not.toContain('hunter2');
    expect(fs.existsSync(db)).toBe(false);
  });

  it('with an unknown name stops every command with exit 78, naming FILE:LINE and the known names', async () => {
    const file = path.join(tmp.dir, 'typo.conf');
    fs.writeFileSync(file, 'CASEGATE_DOMAIN = cases.example.com\nCASEGATE_SMPT_URL = smtp://relay:25\n');
    const r = await runCli(['--config', file, 'serve', '--port', '0']);
    expect(r).toMatchObject({ code: 78, stdout: '' });
    expect(r.stderr).toMatch(new RegExp(`^casegate: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: unknown setting CASEGATE_SMPT_URL; the known settings are CASEGATE_DB, .*CASEGATE_SMTP_URL`));
  });
});
