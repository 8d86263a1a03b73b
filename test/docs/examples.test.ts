// Every shell example of the README and of the pages in docs/ runs as written, in order, on a fresh
// database in a fresh folder, and prints what the page shows (times, tokens, keys and temp paths
// masked): see test/docs/transcript.ts for the format and test/docs/runPage.ts for how it runs.
// On the SQLite run only (vitest.config.ts): the pages make their own default database.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { tempDir, type TempDir } from '../helpers/tempDir.js';
import { runPage } from './runPage.js';
import { parseTranscript } from './transcript.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Programs the pages use besides casegate and the shell's own: a page needing one that is missing is skipped outside CI, and fails in CI. */
const TOOLS = ['swaks', 'curl'];
const inCi = process.env.CI === 'true';
const missing = TOOLS.filter((tool) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
});

const PAGES = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

describe('the shell examples of the docs', () => {
  let bin: TempDir;
  beforeAll(() => {
    if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" first`);
    bin = tempDir('docs-bin');
    fs.symlinkSync(BIN, path.join(bin.dir, 'casegate'));
  });
  afterAll(() => bin?.cleanup());

  for (const page of PAGES) {
    const text = fs.readFileSync(path.join(ROOT, page), 'utf8');
    const steps = parseTranscript(text);
    const lacking = missing.filter((tool) => steps.some((s) => new RegExp(`(^|[\\s|;&(])${tool}\\s`).test(s.command)));
    if (lacking.length > 0 && !inCi) console.log(`${page} skipped: ${lacking.join(', ')} not installed`);
    it.skipIf(steps.length === 0 || (lacking.length > 0 && !inCi))(`${page}: ${steps.length} commands print what the page shows`, { timeout: 120_000 }, async () => {
      const result = await runPage(text, { binDir: bin.dir, name: page });
      expect(result.failures.join('\n\n')).toBe('');
      expect(result.steps).toBe(steps.length);
    });
  }
});
