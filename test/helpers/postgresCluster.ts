// A throwaway PostgreSQL for tests: Debian's PostgreSQL binaries (initdb, pg_ctl) run as the
// `postgres` user on a cluster in a temporary folder, listening on a free loopback port, fsync on
// (so that benchmarks are not flattered), password auth over TCP for the role `casegate`.
// `createDatabase()` gives each test file a database of its own in a moment: a copy of a template
// that the product's own migrations made. No vitest here: the run's global setup uses it too.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { openPostgres } from '../../src/db/engines/postgres.js';
import { freePort } from './postfix.js';

const run = promisify(execFile);

export const ROLE = 'casegate';
export const TEMPLATE = 'casegate_template';

export interface PgCluster {
  /** `postgres://casegate:PASSWORD@127.0.0.1:PORT/postgres`: may create databases. */
  readonly adminUrl: string;
  readonly port: number;
  /** A new database owned by `casegate`: migrated (a copy of the template), or `empty`. Its URL. */
  createDatabase(options?: { empty?: boolean }): Promise<string>;
  /** Stops the server (fast shutdown: sessions are ended with 57P01), keeping its data. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops it and removes its folder (a shared cluster: nothing, its setup does that). Safe to call twice. */
  release(): Promise<void>;
}

export interface StartOptions {
  /** fsync on (default). A test that only checks behaviour may turn it off; a benchmark never does. */
  readonly fsync?: boolean;
}

/** The bin/ folder of the newest installed PostgreSQL 15 or later, or an error saying what to install. */
export function postgresBinaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => /^\d+$/.test(v) && Number(v) >= 15) : [];
  const found = versions
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(root, v, 'bin'))
    .find((bin) => fs.existsSync(path.join(bin, 'initdb')) && fs.existsSync(path.join(bin, 'pg_ctl')));
  if (found === undefined) {
    throw new Error(`the PostgreSQL tests need initdb and pg_ctl of PostgreSQL 15 or later under ${root}/N/bin: apt-get install postgresql (as .ci/run does)`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error('the PostgreSQL tests start a throwaway cluster as the postgres user (initdb refuses root), which needs root for runuser: run them as root');
  }
  if (spawnSync('id', ['-u', 'postgres']).status !== 0) {
    throw new Error('the PostgreSQL tests run initdb as the user "postgres", which does not exist: apt-get install postgresql creates it');
  }
  return found;
}

const asPostgres = (bin: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', bin, ...args], { timeout: 60_000 });

/** Runs `work` on one connection to `url`, then closes it. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const urlOf = (port: number, password: string, database: string): string => `postgres://${ROLE}:${password}@127.0.0.1:${port}/${database}`;

let databases = 0;

/** The cluster's databases, from its admin URL (a cluster started here, or the shared one). */
function databasesOf(adminUrl: string): Pick<PgCluster, 'createDatabase'> {
  return {
    async createDatabase(options = {}) {
      databases += 1;
      const name = `t_${process.pid}_${databases}_${Math.random().toString(36).slice(2, 8)}`;
      const template = options.empty ? 'template0' : TEMPLATE;
      await withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}" OWNER ${ROLE} STRATEGY FILE_COPY`));
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
  };
}

/** Starts a new cluster (initdb, pg_ctl start), with the role and the migrated template. */
export async function startPostgres(options: StartOptions = {}): Promise<PgCluster> {
  const bin = postgresBinaries();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casegate-pg-'));
  fs.chmodSync(dir, 0o755);
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const data = path.join(dir, 'data');
  const runDir = path.join(dir, 'run');
  for (const d of [data, runDir]) {
    fs.mkdirSync(d, { mode: 0o700 });
    fs.chownSync(d, uid, gid);
  }
  const superPassword = Math.random().toString(36).slice(2);
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const pwfile = path.join(runDir, 'pwfile');
  fs.writeFileSync(pwfile, `${superPassword}\n`, { mode: 0o600 });
  fs.chownSync(pwfile, uid, gid);
  const ctl = (args: string[]) => asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, ...args]);
  let stopped = true;
  let removed = false;
  const stopNow = (): void => {
    if (!stopped) spawnSync('runuser', ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop']);
    stopped = true;
    if (!removed) fs.rmSync(dir, { recursive: true, force: true });
    removed = true;
  };
  process.once('exit', stopNow);

  try {
    await asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
    const port = await freePort();
    const settings = {
      port: String(port),
      listen_addresses: "'127.0.0.1'",
      unix_socket_directories: `'${runDir}'`,
      fsync: options.fsync === false ? 'off' : 'on',
      max_connections: '200',
      log_min_messages: 'warning',
    };
    fs.appendFileSync(path.join(data, 'postgresql.conf'), Object.entries(settings).map(([k, v]) => `${k} = ${v}\n`).join(''));
    const start = async (): Promise<void> => {
      await ctl(['-l', path.join(runDir, 'log'), '-w', '-t', '60', 'start']);
      stopped = false;
    };
    await start();
    const superUrl = `postgres://postgres:${superPassword}@127.0.0.1:${port}/postgres`;
    await withClient(superUrl, (c) => c.query(`CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${password}'`));
    const adminUrl = urlOf(port, password, 'postgres');
    await makeTemplate(adminUrl);
    return {
      adminUrl,
      port,
      ...databasesOf(adminUrl),
      async stop() {
        await ctl(['-m', 'fast', '-w', 'stop']);
        stopped = true;
      },
      start,
      async release() {
        process.removeListener('exit', stopNow);
        if (!stopped) await ctl(['-m', 'fast', '-w', 'stop']).catch(() => undefined);
        stopped = true;
        stopNow();
      },
    };
  } catch (err) {
    const log = path.join(runDir, 'log');
    const tail = fs.existsSync(log) ? `\n${fs.readFileSync(log, 'utf8').slice(-2000)}` : '';
    stopNow();
    process.removeListener('exit', stopNow);
    throw new Error(`cannot start a throwaway PostgreSQL: ${(err as Error).message}${tail}`);
  }
}

/** The template every createDatabase() copies, migrated by the product itself. */
async function makeTemplate(adminUrl: string): Promise<void> {
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${TEMPLATE} OWNER ${ROLE}`));
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE}`;
  const engine = await openPostgres(url.toString(), { poolSize: 1 });
  await engine.close();
}

/** A cluster someone else started (the run's shared one): databases only; stopping it is theirs. */
export function sharedCluster(adminUrl: string): PgCluster {
  const port = Number(new URL(adminUrl).port);
  const notHere = async (): Promise<void> => {
    throw new Error('the shared PostgreSQL of this run is not stopped by a test: start one with startPostgres()');
  };
  return { adminUrl, port, ...databasesOf(adminUrl), stop: notHere, start: notHere, release: async () => undefined };
}
