// Drives the real `casegate` binary (dist/bin/casegate.js, made by `npm run build`) against a
// throwaway database (a SQLite file, or PostgreSQL: test/helpers/testDb.ts), and reads every table
// back so a test can assert "nothing written"; startServe runs `casegate serve` as a child process on a loopback port.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { openDb } from '../../src/db/client.js';
import { tempDir } from './tempDir.js';
import { copyDatabase, dbFingerprint, engineEnv, engineEnvOf, newDatabase, type DbFingerprint } from './testDb.js';

export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/bin/casegate.js');

export interface CliResult {
  /** Exit code of the process. */
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (run with --json); throws with both streams shown when it is not JSON. */
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RunOptions {
  /** Passed as `--db PATH`. */
  db?: string;
  /** Extra environment; every CASEGATE_* variable of the test process is removed first. */
  env?: Record<string, string>;
  /** Written to the process's stdin (then closed). */
  input?: string | Buffer;
  cwd?: string;
}

function requireBuild(): void {
  if (!fs.existsSync(BIN)) {
    throw new Error(`${BIN} is missing: run "npm run build" before the CLI tests`);
  }
}

/**
 * The test process's environment without its CASEGATE_* variables, plus `extra`. Sender
 * authentication is off unless `extra` sets it, so that no test reaches the machine's resolver.
 */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CASEGATE_')) env[k] = v;
  return Object.assign(env, { CASEGATE_SENDER_AUTH: 'off' }, extra);
}

/** Runs `casegate ARGS...` to completion; never rejects on a non-zero exit. */
export function runCli(args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
  requireBuild();
  const env = childEnv({ ...engineEnvOf(opts.db), ...opts.env });
  const argv = [BIN, ...(opts.db ? ['--db', opts.db] : []), ...args];
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, argv, { env, cwd: opts.cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        reject(err);
        return;
      }
      const code = err ? (err.code as number) : 0;
      resolve({
        code,
        stdout,
        stderr,
        json() {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`stdout of "casegate ${args.join(' ')}" is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`);
          }
        },
      });
    });
    child.stdin?.end(opts.input ?? '');
  });
}

export type { DbFingerprint } from './testDb.js';

export interface IngestChild {
  /** The process's stdin, open: the test writes what the relay would. */
  stdin: NodeJS.WritableStream;
  stdout(): string;
  stderr(): string;
  /** Its exit code (null when killed). */
  exited: Promise<number | null>;
  /** Closes its stdin and kills it if it still runs. */
  end(): void;
}

/**
 * `casegate --db DB ingest ARGS...` with its stdin left open, as a relay's pipe that stops sending:
 * only PATH, the database's engine settings and `env` in its environment; killed after 20 s.
 */
export function startIngest(db: string, args: readonly string[], env: Record<string, string> = {}): IngestChild {
  requireBuild();
  const child = spawn(process.execPath, [BIN, '--db', db, 'ingest', ...args], {
    env: { PATH: process.env.PATH, ...env, ...engineEnvOf(db) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(guard);
      resolve(code);
    }),
  );
  return {
    stdin: child.stdin,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    end() {
      clearTimeout(guard);
      child.stdin.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export interface TestDb {
  /** Temporary folder of this database (also holds the .eml outbox and the attachment contents). */
  readonly dir: string;
  /** The SQLite file, or (CASEGATE_TEST_ENGINE=postgres) the PostgreSQL URL. */
  readonly db: string;
  /** Runs `casegate --db <db> ARGS...` with CASEGATE_OUTBOX_DIR inside `dir`. */
  run(...args: string[]): Promise<CliResult>;
  /** Like run, with more options (stdin, environment). */
  runWith(args: readonly string[], opts: Omit<RunOptions, 'db'>): Promise<CliResult>;
  fingerprint(): Promise<DbFingerprint>;
  /** Runs a command, expects it refused (see expectRefused) and the database unchanged. */
  refused(args: readonly string[], message: RegExp): Promise<CliResult>;
  /** Makes the test's database a copy of `template` (templateDb). */
  copyFrom(template: TestDb): Promise<void>;
  cleanup(): void;
}

/**
 * A migrated SQLite file made once per test process, copied for each test: what `casegate init`
 * makes (test/cli/init.test.ts runs the real one), without a process start per test.
 */
let sqliteTemplate: Promise<string> | undefined;
function migratedSqliteFile(): Promise<string> {
  sqliteTemplate ??= (async () => {
    const { dir, cleanup } = tempDir('template');
    process.once('exit', cleanup);
    const file = path.join(dir, 'casegate.db');
    await (await openDb(file)).close();
    return file;
  })();
  return sqliteTemplate;
}

/**
 * A fresh, migrated database (test/helpers/testDb.ts) with a new folder under os.tmpdir(): on SQLite
 * a copy of a migrated file, on PostgreSQL a new database made from the migrated template.
 */
export async function newTestDb(): Promise<TestDb> {
  const { dir, cleanup } = tempDir('test');
  let db = await newDatabase(dir);
  if (!db.startsWith('postgres')) fs.copyFileSync(await migratedSqliteFile(), db);
  const baseEnv = { CASEGATE_OUTBOX_DIR: path.join(dir, 'outbox'), ...engineEnv(dir) };
  const runWith = (args: readonly string[], opts: Omit<RunOptions, 'db'>): Promise<CliResult> =>
    runCli(args, { ...opts, db, env: { ...baseEnv, ...opts.env } });
  const t: TestDb = {
    dir,
    get db() {
      return db;
    },
    run: (...args) => runWith(args, {}),
    runWith,
    fingerprint: () => dbFingerprint(db),
    async refused(args, message) {
      const before = await dbFingerprint(db);
      const r = await runWith(args, {});
      expectRefused(r, message);
      expect(await dbFingerprint(db), `"casegate ${args.join(' ')}" changed the database`).toEqual(before);
      return r;
    },
    async copyFrom(template) {
      for (const suffix of ['-wal', '-shm']) fs.rmSync(db + suffix, { force: true });
      db = await copyDatabase(template.db, db, dir, fs.copyFileSync);
    },
    cleanup,
  };
  return t;
}

/** Registers beforeEach/afterEach hooks giving each test its own database; call inside describe. */
export function useTestDb(): () => TestDb {
  let current: TestDb | undefined;
  beforeEach(async () => {
    current = await newTestDb();
  });
  afterEach(() => {
    current?.cleanup();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('useTestDb(): the database exists only inside a test');
    return current;
  };
}

/**
 * A refusal: non-zero exit, nothing on stdout, and one line on stderr `casegate: ...` matching
 * `message`. Commander's own usage errors (missing option or argument) are accepted with any prefix.
 */
export function expectRefused(r: CliResult, message: RegExp): void {
  expect(r.code, `expected a non-zero exit; stdout: ${r.stdout}`).not.toBe(0);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(message);
  expect(lines, 'a refusal is one line on stderr').toHaveLength(1);
  expect(lines[0]).toMatch(/^casegate: \S.*; \S/);
}

export const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Runs a command with --json, expects success and returns the parsed output. */
export async function okJson(t: TestDb, ...args: string[]): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await t.run(...args, '--json');
  expect(r.code, `casegate ${args.join(' ')} failed: ${r.stderr}`).toBe(0);
  return r.json();
}

/** `TestDb.refused` for a --json run, with extra environment. */
export async function refusedJson(t: TestDb, args: readonly string[], message: RegExp, env: Record<string, string> = {}): Promise<CliResult> {
  const before = await dbFingerprint(t.db);
  const r = await t.runWith([...args, '--json'], { env });
  expectRefused(r, message);
  expect(await dbFingerprint(t.db), `"casegate ${args.join(' ')}" changed the database`).toEqual(before);
  return r;
}

/**
 * A database built once per test file with `build` (through the CLI, so it is slow), and a function
 * that copies it into a test's own database.
 */
export function templateDb(build: (t: TestDb) => Promise<void>): (t: TestDb) => Promise<void> {
  let template: TestDb | undefined;
  beforeAll(async () => {
    const t = await newTestDb();
    await build(t);
    template = t;
  }, 120_000);
  afterAll(() => template?.cleanup());
  return async (t) => {
    if (!template) throw new Error('the template database is missing');
    await t.copyFrom(template);
  };
}

export interface Served {
  readonly proc: ChildProcess;
  /** The port `casegate serve` printed in its "listening on HOST:PORT" line. */
  readonly port: number;
  /** What the process wrote to stdout and stderr so far. */
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `casegate --db DB serve --host 127.0.0.1 --port 0 ARGS...` (environment: see runCli) and
 * resolves once it printed "listening on HOST:PORT"; rejects, with what it printed, if it exits
 * first or does not listen within 15 s (then it is killed).
 */
export function startServe(db: string, args: readonly string[] = [], env: Record<string, string> = {}): Promise<Served> {
  requireBuild();
  // The binary itself, as systemd or a shell runs it: with the node flags of its first line.
  const proc = spawn(BIN, ['--db', db, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    env: childEnv({ ...engineEnvOf(db), ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async (graceMs = 5_000): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`casegate serve did not start within 15 s:\n${out}${err}`));
    }, 15_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on [^\s:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]), stdout: () => out, stderr: () => err, stop });
      }
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`casegate serve exited (${code ?? signal}) before listening:\n${out}${err}`));
    });
  });
}

