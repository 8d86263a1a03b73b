// The benchmarks must keep running: `node dist/bench/run.js --smoke` (tiny counts) prints every row
// of the table. Timings are not asserted; a smoke run's figures mean nothing.
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runner = path.join(root, 'dist', 'bench', 'run.js');
// 7a–8b are the PostgreSQL rows (9 and 9b the IMAP mailbox, 10 the mbox import): without PostgreSQL they are printed as skipped, still printed.
const ROWS = ['1a', '1b', '1c', '1d', '2', '2b', '3', '4a', '4b', '5a', '5b', '6', '6b', '6c', '6d', '7a', '7b', '8a', '8b', '9', '9b', '10', '11', '11b'];

function runSmoke(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [runner, '--smoke'], { cwd: root, timeout: 290_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('npm run bench -- --smoke', () => {
  it('runs every benchmark and prints one table with all rows', { timeout: 300_000 }, async () => {
    expect(fs.existsSync(runner), `${runner} is missing; run "npm run build" first`).toBe(true);
    const { code, stdout, stderr } = await runSmoke();
    expect(code, stderr).toBe(0);
    const rows = stdout
      .split('\n')
      .filter((line) => /^\|\s*\d/.test(line))
      .map((line) => line.split('|')[1]?.trim());
    expect(rows).toEqual(ROWS);
    expect(stdout).toMatch(/Query plans of the hot path/);
  });
});
