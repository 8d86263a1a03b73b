// Where settings come from: flags, then the environment, then the settings file (--config,
// CASEGATE_CONFIG, or casegate.conf beside the SQLite database), then defaults that follow the
// database's folder. Each value keeps its source for `casegate config`.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeConfig } from '../src/cli/commands/config.js';
import { ConfigError, givenSettings, loadConfig } from '../src/config.js';
import { SettingsFileError } from '../src/errors.js';
import { tempDir } from './helpers/tempDir.js';

const tmp = tempDir('settings');
afterAll(tmp.cleanup);
let n = 0;
/** A folder with `casegate.conf` holding `text`; returns the folder, its database path and the file. */
function folderWith(text: string): { dir: string; db: string; file: string } {
  const dir = path.join(tmp.dir, `f${++n}`);
  fs.mkdirSync(dir);
  const file = path.join(dir, 'casegate.conf');
  fs.writeFileSync(file, text);
  return { dir, db: path.join(dir, 'casegate.db'), file };
}

function thrown(work: () => unknown): Error {
  try {
    work();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('the settings file beside the database', () => {
  it('is read when the database is given by --db or CASEGATE_DB', () => {
    const { db, file } = folderWith('CASEGATE_DOMAIN = cases.example.com\nCASEGATE_PRUNE_INBOUND_DAYS = 90\n');
    expect(loadConfig({ db }, {})).toMatchObject({ domain: 'cases.example.com', pruneInboundDays: 90, pruneOutboxSentDays: null });
    expect(loadConfig({}, { CASEGATE_DB: db }).domain).toBe('cases.example.com');
    expect(givenSettings({ db }, {}).file).toEqual({ path: file, how: 'beside the database' });
  });

  it('is overridden by the environment, which flags override', () => {
    const { db } = folderWith('CASEGATE_DOMAIN = file.example\nCASEGATE_PORT = 2600\nCASEGATE_HOST = 127.0.0.2\n');
    const c = loadConfig({ db, port: '2700' }, { CASEGATE_DOMAIN: 'env.example', CASEGATE_PORT: '2650' });
    expect(c).toMatchObject({ domain: 'env.example', port: 2700, host: '127.0.0.2' });
  });

  it('may not move the database it was found beside', () => {
    const { db, file } = folderWith('# elsewhere\nCASEGATE_DB = /srv/other.db\n');
    const err = thrown(() => loadConfig({ db }, {}));
    expect(err).toBeInstanceOf(SettingsFileError);
    expect((err as SettingsFileError).problems).toEqual([
      `${file}:2: CASEGATE_DB cannot be set in the casegate.conf found beside the database; remove the line, or name the file with --config (or CASEGATE_CONFIG)`,
    ]);
  });

  it('names its file and line in the message about a bad value', () => {
    const { db, file } = folderWith('\nCASEGATE_MAX_RECIPIENTS = many\n');
    const err = thrown(() => loadConfig({ db }, {}));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([`${file}:2: CASEGATE_MAX_RECIPIENTS "many" must be a whole number from 1 to 1000`]);
  });

  it('refuses an unknown name (SettingsFileError, exit 78)', () => {
    const { db, file } = folderWith('CASEGATE_PRUNE_DAYS = 30\n');
    const err = thrown(() => loadConfig({ db }, {}));
    expect(err).toBeInstanceOf(SettingsFileError);
    expect((err as SettingsFileError).problems[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1: unknown setting CASEGATE_PRUNE_DAYS; the known settings are `));
  });
});

describe('a named settings file', () => {
  it('--config wins over CASEGATE_CONFIG, which wins over the file beside the database, and may set the database', () => {
    const beside = folderWith('CASEGATE_DOMAIN = beside.example\n');
    const named = folderWith('CASEGATE_DOMAIN = named.example\n');
    const flagged = folderWith(`CASEGATE_DOMAIN = flag.example\nCASEGATE_DB = ${beside.db}\n`);
    expect(loadConfig({ db: beside.db }, { CASEGATE_CONFIG: named.file }).domain).toBe('named.example');
    const c = loadConfig({ config: flagged.file }, { CASEGATE_CONFIG: named.file });
    expect(c).toMatchObject({ domain: 'flag.example', db: beside.db });
  });

  it('must exist', () => {
    const missing = path.join(tmp.dir, 'missing.conf');
    const err = thrown(() => loadConfig({ config: missing }, {}));
    expect(err).toBeInstanceOf(SettingsFileError);
    expect(err.message).toBe(`cannot read the settings file ${missing} (ENOENT); give a readable file with --config or CASEGATE_CONFIG`);
  });

  it('is the only one with PostgreSQL: nothing is looked for beside a URL', () => {
    expect(givenSettings({ db: 'postgres://casegate@db.example/casegate' }, {}).file).toBeNull();
  });
});

describe('folders that follow the database', () => {
  it('put the .eml outbox beside a SQLite file unless CASEGATE_OUTBOX_DIR is set', () => {
    expect(loadConfig({ db: '/var/lib/casegate/casegate.db' }, {}).outboxDir).toBe('/var/lib/casegate/outbox');
    expect(loadConfig({ db: '/var/lib/casegate/casegate.db' }, { CASEGATE_OUTBOX_DIR: '/srv/eml' }).outboxDir).toBe('/srv/eml');
  });

  it('keep data/outbox under the working directory with PostgreSQL, and say so in casegate config', () => {
    const db = 'postgres://casegate:pw@db.example/casegate';
    const config = loadConfig({ db }, {});
    expect(config.outboxDir).toBe(path.join('data', 'outbox'));
    const outbox = describeConfig(givenSettings({ db }, {}), config).settings.find((s) => s.name === 'CASEGATE_OUTBOX_DIR');
    expect(outbox).toEqual({ name: 'CASEGATE_OUTBOX_DIR', value: 'data/outbox', source: 'default', from: expect.stringMatching(/PostgreSQL has no database folder.*set CASEGATE_OUTBOX_DIR/) });
  });
});

describe('casegate config: each setting with its source', () => {
  it('names the flag, the environment, the FILE:LINE or the default, with passwords masked', () => {
    const { db, file } = folderWith('CASEGATE_DOMAIN = cases.example.com\n\nCASEGATE_SMTP_URL = smtp://mailer:hunter2@relay.example:587\n');
    const flags = { db };
    const env = { CASEGATE_MAX_RECIPIENTS: '7', CASEGATE_TEST_ONLY: 'ignored' };
    const report = describeConfig(givenSettings(flags, env), loadConfig(flags, env));
    const by = Object.fromEntries(report.settings.map((s) => [s.name, s]));
    expect(report.settingsFile).toEqual({ path: file, how: 'beside the database' });
    expect(by.CASEGATE_DB).toEqual({ name: 'CASEGATE_DB', value: db, source: 'flag', from: '--db' });
    expect(by.CASEGATE_DOMAIN).toEqual({ name: 'CASEGATE_DOMAIN', value: 'cases.example.com', source: 'file', from: `${file}:1` });
    expect(by.CASEGATE_SMTP_URL).toMatchObject({ value: 'smtp://mailer:***@relay.example:587', source: 'file', from: `${file}:3` });
    expect(by.CASEGATE_MAX_RECIPIENTS).toEqual({ name: 'CASEGATE_MAX_RECIPIENTS', value: '7', source: 'environment', from: null });
    expect(by.CASEGATE_FROM).toEqual({ name: 'CASEGATE_FROM', value: 'support@cases.example.com', source: 'default', from: null });
    expect(by.CASEGATE_OUTBOX_DIR).toMatchObject({ value: path.join(path.dirname(db), 'outbox'), source: 'default' });
    expect(by.CASEGATE_PRUNE_INBOUND_DAYS).toMatchObject({ value: null, source: 'default' });
    expect(JSON.stringify(report)).not.toContain('hunter2');
  });
});
