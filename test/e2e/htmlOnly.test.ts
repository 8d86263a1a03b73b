// HTML-only mail whose markup no tree-building parser takes (SPEC §4: HTML-only mail is turned into
// text; the class of an answer follows its cause). Thousands of nested elements made mailparser's
// html-to-text fail with "Failed to parse HTML", answered `451 4.3.0`, so a relay retried the
// message for days. Such a message is mail like any other: taken and stored with its text, over
// SMTP and in pipe mode; never 451, never exit 75.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, SUPPORT, showCase } from '../helpers/seed.js';

const TEXT = 'The printer on floor 3 is jammed again.';

/** An HTML-only new request from Ann, as a webmail writes one, with `html` as its body. */
function htmlMail(subject: string, html: string): string {
  return [
    `From: "Ann Archer" <${ANN}>`,
    `To: ${SUPPORT}`,
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <html.${Date.now()}.${Math.random().toString(36).slice(2)}@mail.acme.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `<html><body>${html}</body></html>`,
    '',
  ].join('\r\n');
}

/** `open` 5,000 times around the text, never closed: 25 KB and more of markup. */
const nested = (open: string): string => `${open.repeat(5000)}${TEXT}`;

const KINDS: Array<[string, string]> = [
  ['div', '<div>'],
  ['blockquote', '<blockquote>'],
  ['list', '<ul><li>'],
  ['table', '<table><tr><td>'],
  ['span', '<span style="color:#333">'],
];

let gw: Gateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe('deeply nested HTML is taken over SMTP, never 451', () => {
  for (const [kind, open] of KINDS) {
    it(`5,000 nested ${kind} elements: 250, a case with the text`, async () => {
      gw = await startGateway();
      const r = await gw.send(htmlMail(`Nested ${kind}`, nested(open)), { from: ANN, to: [SUPPORT] });
      expect(r.code, r.response).toBe(250);
      expect(r.response).toMatch(/opened case 00001002/);
      expect((await showCase(gw.db, gw.config, '00001002')).description).toContain(TEXT);
    });
  }

  it('1 MB of <b>x</b> (a word of 131,072 letters): 250, a case with all of it', async () => {
    gw = await startGateway();
    const r = await gw.send(htmlMail('Bold', `<p>${'<b>x</b>'.repeat(131072)}</p><p>${TEXT}</p>`), { from: ANN, to: [SUPPORT] });
    expect(r.code, r.response).toBe(250);
    const description = (await showCase(gw.db, gw.config, '00001002')).description;
    expect(description.startsWith('x'.repeat(131072))).toBe(true);
  });
});

describe('deeply nested HTML in pipe mode: exit 0, never 75', () => {
  it('5,000 nested divs through "casegate ingest"', async () => {
    gw = await startGateway();
    const eml = path.join(gw.dir, 'nested.eml');
    fs.writeFileSync(eml, htmlMail('Nested div', nested('<div>')));
    const r = await runCli(['ingest', '--rcpt', SUPPORT, '--mail-from', ANN, eml], { db: gw.config.db });
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/250 2\.6\.0 opened case 00001002/);
    expect((await showCase(gw.db, gw.config, '00001002')).description).toContain(TEXT);
  });
});
