// Starting bench/server.ts in a child process, reading its port and its peak memory, stopping it.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerStats } from './server.js';

export interface ServerChild {
  readonly port: number;
  readonly pid: number;
  /** Peak resident set (VmHWM) so far, in bytes; null where /proc is not available. */
  peakRss(): number | null;
  /** Stops the server (SIGTERM), waits for the process to exit and returns what it counted. */
  stop(): Promise<ServerStats>;
}

export interface ServerChildOptions {
  db?: string;
  /** Folder of attachment contents (a casegate child on PostgreSQL). */
  blobDir?: string;
  /** Where the child writes the query plans of the statements it ran (casegate only). */
  explain?: string;
  /** Folder for a V8 CPU profile of the child (`node --cpu-prof`). */
  cpuProfDir?: string;
  /** The casegate child commits on a store thread (true) or on its main thread (false); the product's default when absent (rows 1c/1d). */
  storeThread?: boolean;
}

/**
 * The resolver every casegate child authenticates senders through (`IP:PORT` of the `dns` child that
 * bench/run.ts starts); null: sender authentication off (`--sender-auth off`).
 */
let benchDns: string | null = null;
export function useBenchDns(address: string | null): void {
  benchDns = address;
}
/** The settings that make a casegate process authenticate senders as the server children do (row 11's `casegate ingest`). */
export function senderAuthEnv(): Record<string, string> {
  return benchDns === null ? { CASEGATE_SENDER_AUTH: 'off' } : { CASEGATE_SENDER_AUTH: 'enforce', CASEGATE_DNS_SERVERS: benchDns };
}

const serverScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server.js');
/** The casegate binary as built (dist/bin/casegate.js). */
export const casegateBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/casegate.js');

/**
 * The node flags the casegate binary runs with: those of its `#!/usr/bin/env -S node …` line. The
 * casegate children get them too, so that a row measures the gateway as `casegate serve` runs it.
 */
export function casegateNodeFlags(): string[] {
  const first = fs.readFileSync(casegateBin, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\S*env(?: -S)? node((?: --?\S+)*)\s*$/.exec(first);
  if (m === null) throw new Error(`${casegateBin} does not start with a "#!/usr/bin/env [-S] node [flags]" line: rebuild it (npm run build)`);
  return (m[1] ?? '').split(' ').filter(Boolean);
}

export async function startServerChild(kind: 'casegate' | 'sink' | 'dns', o: ServerChildOptions = {}): Promise<ServerChild> {
  const args = [
    ...(kind === 'casegate' ? casegateNodeFlags() : []),
    ...(o.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', o.cpuProfDir] : []),
    serverScript,
    kind,
    ...(o.db ? ['--db', o.db] : []),
    ...(o.blobDir ? ['--blob-dir', o.blobDir] : []),
    ...(o.explain ? ['--explain', o.explain] : []),
    ...(kind === 'casegate' && benchDns !== null ? ['--dns', benchDns] : []),
  ];
  const env = o.storeThread === undefined ? process.env : { ...process.env, CASEGATE_BENCH_STORE_THREAD: o.storeThread ? 'on' : 'off' };
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'], env });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const port = await readPort(child, exited);
  const pid = child.pid as number;
  return {
    port,
    pid,
    peakRss: () => peakRssOf(pid),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`bench ${kind} server exited with code ${code}`);
      const last = out.trim().split('\n').slice(1).pop();
      return last ? (JSON.parse(last) as ServerStats) : {};
    },
  };
}

function readPort(child: ChildProcess, exited: Promise<number | null>): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      child.stdout?.off('data', onData);
      try {
        resolve((JSON.parse(out.slice(0, nl)) as { port: number }).port);
      } catch {
        reject(new Error(`bench server printed "${out.slice(0, nl)}" instead of its port`));
      }
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => reject(new Error(`bench server exited with code ${code} before listening`)));
  });
}

/** VmHWM of a process from /proc, in bytes. */
export function peakRssOf(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Runs `casegate ARGS...` (the built binary `bin`, executed as the file it is, so with its own node flags) to its end, watching its peak memory: its stdout,
 * wall seconds and the highest VmHWM seen, in MiB. A non-zero exit rejects with its stderr.
 */
export function runCasegateMeasured(bin: string, args: readonly string[], env: Record<string, string>): Promise<{ out: string; seconds: number; peakMib: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    let peak = 0;
    const poll = setInterval(() => {
      if (child.pid !== undefined) peak = Math.max(peak, peakRssOf(child.pid) ?? 0);
    }, 100);
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) return reject(new Error(`casegate ${args.slice(2).join(' ')} exited ${code}: ${err}`));
      resolve({ out, seconds: (performance.now() - t0) / 1000, peakMib: peak / (1024 * 1024) });
    });
  });
}
