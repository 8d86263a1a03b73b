// The packages mailparser loads but casegate's parse does not use (src/ingest/deferredRequire.ts)
// are not loaded until something uses them, and then they do their whole job: a Japanese charset is
// decoded, HTML becomes text in mailparser's own simpleParser. Checked in a fresh Node process on
// the built code, as `casegate ingest` runs it: in vitest's worker another file may have loaded them.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const SCRIPT = `
const fs = require('node:fs');
// A deferred package has one entry in require's cache until it is used: look for a file it loads.
const loaded = (name) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + name));
(async () => {
  const { parseMessage } = await import('./dist/src/ingest/parse.js');
  const out = { afterImport: { htmlToText: loaded('htmlparser2/'), japanese: loaded('encoding-japanese/src/encoding-table.js') } };
  const store = { write: async () => { throw new Error('no attachment expected'); } };
  const ascii = await parseMessage(fs.createReadStream('fixtures/reply-gmail-quoted.eml'), { store });
  out.afterAsciiMessage = { japanese: loaded('encoding-japanese/src/encoding-table.js'), subject: ascii.subject };
  const jis = await parseMessage(fs.createReadStream('fixtures/text-iso-2022-jp.eml'), { store });
  out.jis = { subject: jis.subject, text: jis.text, japanese: loaded('encoding-japanese/src/encoding-table.js') };
  const { simpleParser } = require('mailparser');
  const html = await simpleParser('Content-Type: text/html\\r\\n\\r\\n<p>Hello <b>world</b> &amp; you</p>\\r\\n');
  out.simpleParser = { text: html.text.trim(), htmlToText: loaded('htmlparser2/') };
  console.log(JSON.stringify(out));
})().catch((err) => { console.error(err); process.exit(1); });
`;

describe('packages mailparser loads for what casegate does not use', () => {
  it('are loaded only when used, and then work as themselves', async () => {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['-e', SCRIPT], { cwd: root, timeout: 20_000 }, (err, out, errText) => (err ? reject(new Error(`${err.message}\n${errText}`)) : resolve(out))),
    );
    const out = JSON.parse(stdout) as Record<string, Record<string, unknown>>;
    expect(out.afterImport).toEqual({ htmlToText: false, japanese: false });
    expect(out.afterAsciiMessage).toEqual({ japanese: false, subject: expect.stringContaining('Printer') });
    expect(out.jis).toEqual({ subject: 'テスト', text: 'テスト: printer 3\n', japanese: true });
    expect(out.simpleParser).toEqual({ text: 'Hello world & you', htmlToText: true });
  });
});
