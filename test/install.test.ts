// The production install (docs/install.md): `npm ci --omit=dev` runs npm's `prepare` step without
// TypeScript, which must keep the built dist/ instead of failing; and `casegate` on the PATH is a
// symlink to dist/bin/casegate.js that finds its migrations from the install folder. (The install
// itself builds better-sqlite3 and takes minutes offline: measured by hand, not run here.)
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/tempDir.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);
const tmp = tempDir('install');
afterAll(tmp.cleanup);

/** A checkout as the production install sees it: package.json, scripts/, optionally dist/, no TypeScript. */
function checkout(name: string, withDist: boolean): string {
  const dir = path.join(tmp.dir, name);
  fs.mkdirSync(path.join(dir, 'scripts'), { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  fs.copyFileSync(path.join(ROOT, 'scripts', 'prepare.mjs'), path.join(dir, 'scripts', 'prepare.mjs'));
  if (withDist) {
    fs.mkdirSync(path.join(dir, 'dist', 'bin'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'dist', 'bin', 'casegate.js'), path.join(dir, 'dist', 'bin', 'casegate.js'));
  }
  return dir;
}

async function prepare(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['scripts/prepare.mjs'], { cwd: dir, env: { PATH: process.env.PATH } });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm's prepare step", () => {
  it('is what package.json runs', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prepare).toBe('node scripts/prepare.mjs');
  });

  it('without TypeScript keeps the dist/ that is there, and says so', async () => {
    const dir = checkout('with-dist', true);
    const before = fs.statSync(path.join(dir, 'dist', 'bin', 'casegate.js')).mtimeMs;
    expect(await prepare(dir)).toEqual({ code: 0, stdout: 'casegate: TypeScript is not installed (a production install): using the dist/ that is here\n', stderr: '' });
    expect(fs.statSync(path.join(dir, 'dist', 'bin', 'casegate.js')).mtimeMs).toBe(before);
  });

  it('without TypeScript and without dist/ fails, saying what to run instead', async () => {
    const r = await prepare(checkout('no-dist', false));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^casegate: dist\/ is missing and TypeScript is not installed, .*run "npm ci" \(with the development dependencies\), then "npm prune --omit=dev"/);
  });
});

describe('casegate on the PATH', () => {
  it('is a symlink to dist/bin/casegate.js in the install folder: it runs and finds its migrations there', async () => {
    const install = path.join(tmp.dir, 'opt-casegate');
    fs.mkdirSync(install);
    for (const part of ['package.json', 'dist', 'migrations']) fs.cpSync(path.join(ROOT, part), path.join(install, part), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(install, 'node_modules'));
    const bin = path.join(tmp.dir, 'usr-local-bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(path.join(install, 'dist', 'bin', 'casegate.js'), path.join(bin, 'casegate'));
    const db = path.join(tmp.dir, 'var-lib', 'casegate.db');
    const env = { PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}` };
    const r = await run('casegate', ['--db', db, 'init'], { env, cwd: tmp.dir });
    expect(r.stdout).toBe(`database ready: ${db}\n`);
  });

  it('runs node with the flags of its first line: serve has one V8 background thread', async () => {
    expect(fs.readFileSync(path.join(ROOT, 'dist', 'bin', 'casegate.js'), 'utf8').split('\n', 1)[0]).toBe('#!/usr/bin/env -S node --v8-pool-size=1');
    const db = path.join(tmp.dir, 'flags', 'casegate.db');
    const env = { PATH: path.dirname(process.execPath) + path.delimiter + (process.env.PATH ?? ''), CASEGATE_OUTBOX_DIR: path.join(tmp.dir, 'flags', 'outbox') };
    await run(path.join(ROOT, 'dist', 'bin', 'casegate.js'), ['--db', db, 'init'], { env });
    const child = spawn(path.join(ROOT, 'dist', 'bin', 'casegate.js'), ['--db', db, 'serve', '--host', '127.0.0.1', '--port', '0', '--no-dispatch'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => ((out += d.toString()), /listening on /.test(out) && resolve()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        void exited.then((code) => reject(new Error(`serve exited ${code} before listening:\n${out}`)));
      });
      // `env -S` replaced itself with node: the process is node, with the flag before the script.
      const argv = fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
      expect(argv.slice(1, 3)).toEqual(['--v8-pool-size=1', path.join(ROOT, 'dist', 'bin', 'casegate.js')]);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
