// Memory of `casegate serve --http` while Web-to-Case posts go past the attachment limit (issue 26,
// finding 4): the real binary on a throwaway database, then N posts at once, each with two files
// that together pass CASEGATE_MAX_MESSAGE_BYTES (default: 5 posts of two 36 MB files against
// 35 MiB). Reads VmRSS and VmHWM of the server from /proc before and after, counts the answers and
// the files left in the blob store. Loopback only; bounded by its post count.
//   node dist/bench/webUploadRss.js [--bin dist/bin/casegate.js] [--posts 5] [--mb 36] [--chunked] [--keep]
// --chunked sends each form without a Content-Length (so only the running total can stop it).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { casegateBin } from './child.js';

const MB = 1_000_000;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : (process.argv[i + 1] ?? fallback);
}

/** VmRSS and VmHWM of a process, in MB; null where /proc is not available. */
function memoryOf(pid: number): { rss: number; peak: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: (kb('VmRSS') * 1024) / MB, peak: (kb('VmHWM') * 1024) / MB };
  } catch {
    return null;
  }
}

function filesUnder(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
}

async function main(): Promise<void> {
  const bin = path.resolve(option('--bin', casegateBin));
  const posts = Number(option('--posts', '5'));
  const mb = Number(option('--mb', '36'));
  const chunked = process.argv.includes('--chunked');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casegate-bench-upload-'));
  const db = path.join(dir, 'casegate.db');
  const env = { ...process.env, CASEGATE_DB: db, CASEGATE_OUTBOX_DIR: path.join(dir, 'outbox'), CASEGATE_WEB_RATE_LIMIT: '1000' };
  execFileSync(bin, ['init'], { env, stdio: 'ignore' });
  const child = spawn(bin, ['serve', '--port', '0', '--http', '0', '--no-dispatch'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /http listening on [^:]+:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`casegate serve exited with code ${code}: ${out}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    // One warm-up request, so that "before" counts the loaded server.
    await (await fetch(`${base}/web-to-case`)).text();
    const before = memoryOf(child.pid as number);
    const file = Buffer.alloc(mb * MB, 0x61);
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: posts }, async (_, i) => {
        const form = new FormData();
        form.append('name', 'Bench Poster');
        form.append('email', `poster${i}@bench.example`);
        form.append('subject', `upload ${i}`);
        for (const n of [1, 2]) form.append('attachments', new Blob([file], { type: 'application/octet-stream' }), `part${n}.bin`);
        try {
          // --chunked: the same form without a Content-Length, so that only the running total can stop it.
          const request = new Request(`${base}/web-to-case`, { method: 'POST', body: form });
          const res = chunked
            ? await fetch(request.url, { method: 'POST', headers: { 'content-type': request.headers.get('content-type') as string }, body: request.body, duplex: 'half' } as RequestInit)
            : await fetch(request);
          await res.text();
          return String(res.status);
        } catch (err) {
          return `error (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message})`;
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const after = memoryOf(child.pid as number);
    const counts = new Map<string, number>();
    for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
    const fmt = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? 'n/a' : `${v.toFixed(0)} MB`);
    console.log(`| binary | posts × files × size | answers | RSS before | RSS after | peak RSS (VmHWM) | files left in blobs/ | wall |`);
    console.log(`|---|---|---|---|---|---|---|---|`);
    console.log(
      `| ${path.relative(process.cwd(), bin) || bin} | ${posts} × 2 × ${mb} MB${chunked ? ', chunked' : ''} | ${[...counts].map(([k, v]) => `${v}× ${k}`).join(', ')} | ${fmt(before?.rss)} | ${fmt(after?.rss)} | ${fmt(after?.peak)} | ${filesUnder(path.join(dir, 'blobs'))} | ${seconds.toFixed(1)} s |`,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    if (!process.argv.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
