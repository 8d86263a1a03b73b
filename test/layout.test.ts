// The shape of src/ that docs/design.md's "Layout" draws: which folder may import which, SQL only in
// src/db/, process.env only in src/config.ts. Read from the source files themselves.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');

/** What each part of src/ may import (besides itself and packages). Top-level files count as parts. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  domain: [],
  log: [],
  heapPolicy: [],
  threadEntry: [],
  metrics: ['domain'],
  errors: ['domain'],
  config: ['domain', 'errors', 'log'],
  db: ['domain', 'errors', 'threadEntry'],
  admin: ['db', 'domain', 'errors', 'config'],
  cases: ['admin', 'db', 'domain', 'errors', 'config'],
  views: ['db', 'domain', 'errors'],
  ingest: ['cases', 'db', 'domain', 'errors', 'config', 'metrics', 'threadEntry'],
  import: ['ingest', 'db', 'domain', 'errors', 'config'],
  outbound: ['db', 'domain', 'errors', 'config', 'metrics', 'log'],
  smtp: ['ingest', 'domain', 'errors', 'config', 'log'],
  mailbox: ['ingest', 'db', 'domain', 'errors', 'config'],
  http: ['ingest', 'domain', 'errors', 'config', 'cases', 'views', 'admin', 'db', 'metrics', 'log'],
  doctor: ['ingest', 'outbound', 'db', 'domain', 'errors', 'config'],
  app: ['smtp', 'http', 'mailbox', 'ingest', 'outbound', 'db', 'domain', 'errors', 'config', 'metrics', 'log', 'heapPolicy'],
  demo: ['app', 'admin', 'cases', 'views', 'outbound', 'db', 'domain', 'errors', 'config', 'log'],
  cli: ['app', 'demo', 'doctor', 'mailbox', 'admin', 'cases', 'views', 'ingest', 'import', 'outbound', 'db', 'domain', 'errors', 'config', 'log', 'heapPolicy'],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** `src/db/cases.ts` → `db`; `src/app.ts` → `app`. */
const partOf = (file: string): string => path.relative(SRC, file).split(path.sep)[0]?.replace(/\.[jt]s$/, '') ?? '';

const files = sourceFiles(SRC).map((file) => ({ file, part: partOf(file), text: fs.readFileSync(file, 'utf8') }));

describe('src/ layout', () => {
  it('every part of src/ is in the table', () => {
    expect([...new Set(files.map((f) => f.part))].sort()).toEqual(Object.keys(MAY_IMPORT).sort());
  });

  it('each part imports only what the layout allows, so there are no cycles between folders', () => {
    const wrong: string[] = [];
    for (const { file, part, text } of files) {
      for (const m of text.matchAll(/from '(\.[^']+)'|import\('(\.[^']+)'\)/g)) {
        const target = partOf(path.resolve(path.dirname(file), (m[1] ?? m[2]) as string));
        if (target !== part && !MAY_IMPORT[part]?.includes(target)) wrong.push(`${path.relative(SRC, file)} imports ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('only src/db/ writes SQL', () => {
    const sql = /\b(SELECT\s.+\sFROM|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/;
    expect(files.filter((f) => f.part !== 'db' && sql.test(f.text)).map((f) => f.file)).toEqual([]);
  });

  it('only src/config.ts reads process.env', () => {
    expect(files.filter((f) => f.part !== 'config' && /process\.env/.test(f.text)).map((f) => f.file)).toEqual([]);
  });

  it('the domain is pure: no database, network or file system', () => {
    const io = /from '(node:(fs|net|http|https|child_process)|better-sqlite3|drizzle-orm[^']*|nodemailer|smtp-server)'/;
    expect(files.filter((f) => f.part === 'domain' && io.test(f.text)).map((f) => f.file)).toEqual([]);
  });
});
