// Rows 6b–6d: the worst inputs of the text handling (issue 26: text from outside meets only
// linear-time code), in CPU time of this process. Each row runs a set of worst inputs and reports
// the slowest against a baseline measured in the same run on the same number of characters.
//   6b extractReply() on 1 MiB (the text limit): runs of spaces, many short lines, digit lines
//      ending in a colon, "On 1 " lines; baseline: splitting the input into lines and joining them,
//      or an ordinary text of the same length when that costs more (as test/helpers/cpuWork.ts).
//   6c htmlToText() on 2 MiB (the HTML limit): `<b>x</b>`, nested `<div>`, unclosed `<p>`, `&amp;`;
//      the same baseline.
//   6d parse and facts (parseMessage + messageFacts: everything a message costs before the
//      database) of HTML-only messages of those worst bodies, against the same for an ordinary
//      plain-text message of the same size.
import { Readable } from 'node:stream';
import fs from 'node:fs';
import path from 'node:path';
import { extractReply } from '../src/domain/replyText.js';
import { messageFacts } from '../src/ingest/facts.js';
import { htmlToText } from '../src/ingest/htmlText.js';
import { HTML_MAX_CHARS, TEXT_MAX_CHARS, parseMessage } from '../src/ingest/parse.js';
import { folderWriter } from '../src/db/blobsInFolder.js';
import type { BenchContext, Row } from './table.js';

const PROSE = 'The printer on floor 3 jams in tray 2 whenever we print more than 40 pages; error 13.A2.D3.\n';

const repeat = (unit: string, chars: number, tail = ''): string => unit.repeat(Math.max(1, Math.floor((chars - tail.length) / unit.length))) + tail;
const lines = (line: string, chars: number): string => repeat(`${line}\n`, chars);

/** The worst inputs of the reply extraction, at `chars` characters. */
function replyInputs(chars: number): Array<[string, string]> {
  return [
    ['a run of spaces, then "x"', repeat(' ', chars, 'x')],
    ['one-character lines', lines('x', chars)],
    ['lines of digits ending in a colon', lines(`${'1'.repeat(399)}：`, chars)],
    ['lines of "On 1 " ending in a colon', lines(`${'On 1 '.repeat(79)}:`, chars)],
    ['From: lines', lines('From: x', chars)],
  ];
}

/** The worst inputs of the HTML conversion, at `chars` characters. */
function htmlInputs(chars: number): Array<[string, string]> {
  return [
    ['<b>x</b> over and over', repeat('<b>x</b>', chars)],
    ['<div> nested', repeat('<div>', chars, 'hello')],
    ['<p> never closed', repeat('<p>x', chars)],
    ['&amp; over and over', repeat('&amp;', chars)],
  ];
}

function cpuMs(run: () => unknown, times: number): number {
  let least = Number.POSITIVE_INFINITY;
  for (let n = 0; n < times; n++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    least = Math.min(least, (used.user + used.system) / 1000);
  }
  return least;
}

async function cpuMsAsync(run: () => Promise<unknown>, times: number): Promise<number> {
  let least = Number.POSITIVE_INFINITY;
  for (let n = 0; n < times; n++) {
    const start = process.cpuUsage();
    await run();
    const used = process.cpuUsage(start);
    least = Math.min(least, (used.user + used.system) / 1000);
  }
  return least;
}

/** Splitting into lines and joining, on the input or on ordinary text of its length, whichever costs more. */
function baselineMs(input: string, times: number): number {
  const ordinary = repeat(PROSE, input.length);
  const splitJoin = (s: string) => s.split('\n').join('\n').length;
  return Math.max(cpuMs(() => splitJoin(input), times), cpuMs(() => splitJoin(ordinary), times));
}

interface Slowest {
  name: string;
  ms: number;
  base: number;
}

function slowest(inputs: Array<[string, string]>, run: (input: string) => unknown, times: number): Slowest {
  let worst: Slowest = { name: '', ms: 0, base: 1 };
  for (const [name, input] of inputs) {
    run(input);
    const ms = cpuMs(() => run(input), times);
    const base = baselineMs(input, times);
    if (ms / base > worst.ms / worst.base) worst = { name, ms, base };
  }
  return worst;
}

function message(contentType: string, body: string): Buffer {
  return Buffer.from(
    [
      'From: "Ann Archer" <ann@acme.example>',
      'To: support@acme-support.example',
      'Subject: The printer on floor 3',
      'Message-ID: <worst.1@mail.acme.example>',
      'MIME-Version: 1.0',
      `Content-Type: ${contentType}; charset=utf-8`,
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
      '',
    ].join('\r\n'),
  );
}

export async function benchWorstCase(ctx: BenchContext): Promise<Row[]> {
  const scale = ctx.smoke ? 1 / 16 : 1;
  const times = ctx.smoke ? 1 : 3;
  const replyChars = Math.floor(TEXT_MAX_CHARS * scale);
  const htmlChars = Math.floor(HTML_MAX_CHARS * scale);

  const reply = slowest(replyInputs(replyChars), (text) => extractReply(text), times);
  const html = slowest(htmlInputs(htmlChars), (h) => htmlToText(h, TEXT_MAX_CHARS + 1), times);

  const blobDir = path.join(ctx.dir, 'worst-case-blobs');
  fs.mkdirSync(blobDir, { recursive: true });
  const parseAndFacts = async (raw: Buffer): Promise<unknown> => {
    const msg = await parseMessage(Readable.from([raw]), { store: folderWriter(blobDir) });
    return messageFacts(msg, { mailFrom: 'ann@acme.example', rcpt: ['support@acme-support.example'] });
  };
  let parse: Slowest = { name: '', ms: 0, base: 1 };
  for (const [name, body] of [...htmlInputs(htmlChars), ['5,000 nested <div>', repeat('<div>', 25_000, 'hello')] as [string, string]]) {
    const raw = message('text/html', `<html><body>${body}</body></html>`);
    const ordinary = message('text/plain', repeat(PROSE, body.length));
    await parseAndFacts(raw);
    const ms = await cpuMsAsync(() => parseAndFacts(raw), times);
    const base = await cpuMsAsync(() => parseAndFacts(ordinary), times);
    if (ms / base > parse.ms / parse.base) parse = { name, ms, base };
  }

  ctx.notes.push(
    `6b: slowest worst input of the reply extraction: ${reply.name}, ${(replyChars / 1024).toFixed(0)} KiB; baseline: splitting it into lines and joining them, or an ordinary text of its length when that costs more`,
    `6c: slowest worst input of the HTML conversion: ${html.name}, ${(htmlChars / 1024).toFixed(0)} KiB; same baseline`,
    `6d: slowest worst HTML-only message through parse and facts: ${parse.name}; baseline: parse and facts of a plain-text message of the same size`,
  );
  const row = (id: string, name: string, s: Slowest, max: number): Row => ({
    id,
    name,
    casegate: `${s.ms.toFixed(1)} ms`,
    baseline: `${s.base.toFixed(1)} ms`,
    ratio: s.ms / s.base,
    target: { max },
  });
  return [
    row('6b', `reply text, worst ${(replyChars / 1024).toFixed(0)} KiB input (CPU ms)`, reply, 100),
    row('6c', `HTML to text, worst ${(htmlChars / 1024).toFixed(0)} KiB input (CPU ms)`, html, 100),
    row('6d', 'parse and facts, worst HTML-only message (CPU ms)', parse, 20),
  ];
}
