// Text from outside meets only linear-time code (STYLE habit 11), in the parse stage: HTML turned
// into text, header values, delivery-status parts. Each function gets its worst inputs at the size
// it can be given, and its CPU time must stay within 100 times a linear baseline of the same size
// (test/helpers/cpuWork.ts). Linear code here measures up to about 50 times the baseline (nodemailer's
// address parser on a From line of short addresses, 0.6 µs a character); what this replaced measured
// thousands of times (2 MB of `<b>x</b>`: 114 s of CPU in mailparser's html-to-text, against a
// baseline of about 10 ms).
import { describe, it } from 'vitest';
import { readDeliveryStatus, readReturnedMessageId } from '../../src/ingest/dsn.js';
import { decodeWords, firstAddress, headerLineValue, messageIds } from '../../src/ingest/headerText.js';
import { htmlToText } from '../../src/ingest/htmlText.js';
import { DSN_PART_MAX, FROM_MAX_CHARS, HTML_MAX_CHARS, MAX_HEAD_SIZE, TEXT_MAX_CHARS, authorProblemOf } from '../../src/ingest/parse.js';
import { expectLinear, lines, repeat, type WorstCase } from '../helpers/cpuWork.js';

const BOUND = 100;

const worst = (name: string, make: (chars: number) => string): WorstCase => ({ name, make });

describe('htmlToText: linear in the HTML, whatever the markup', () => {
  const cases: WorstCase[] = [
    worst('<b>x</b> over and over', (n) => repeat('<b>x</b>', n)),
    worst('<div> nested', (n) => repeat('<div>', n, 'hello')),
    worst('<div>x</div> side by side', (n) => repeat('<div>x</div>', n)),
    worst('<p> never closed', (n) => repeat('<p>x', n)),
    worst('<blockquote> nested', (n) => repeat('<blockquote>', n, 'x')),
    worst('<blockquote> nested, each with a line', (n) => repeat('<blockquote>x\n', n)),
    worst('<ul><li> nested', (n) => repeat('<ul><li>', n, 'x')),
    worst('<li> in one list', (n) => `<ol>${repeat('<li>x', n)}`),
    worst('<table><tr><td> nested', (n) => repeat('<table><tr><td>', n, 'x')),
    worst('<td> in one row', (n) => `<table><tr>${repeat('<td>x', n)}`),
    worst('<a href> nested', (n) => repeat('<a href="https://acme.example/">', n, 'x')),
    worst('links side by side', (n) => repeat('<a href="https://acme.example/a">x</a>', n)),
    worst('</a> without <a>', (n) => repeat('</a>', n)),
    worst('<br> over and over', (n) => repeat('x<br>', n)),
    worst('<hr> over and over', (n) => repeat('<hr>', n)),
    worst('<pre> of spaces and line breaks', (n) => `<pre>${repeat(' \n', n)}</pre>`),
    worst('&amp; over and over', (n) => repeat('&amp;', n)),
    worst('&nbsp; over and over', (n) => repeat('&nbsp;', n)),
    worst('unknown references', (n) => repeat('&ampx', n)),
    worst('a long numeric reference', (n) => `&#${repeat('1', n)};`),
    worst('comments', (n) => repeat('x<!---->', n)),
    worst('a comment never closed', (n) => `<!--${repeat('-', n)}`),
    worst('"<" over and over', (n) => repeat('<', n)),
    worst('"< " over and over', (n) => repeat('< ', n)),
    worst('"</" over and over', (n) => repeat('</', n)),
    worst('"<!" over and over', (n) => repeat('<!', n)),
    worst('attributes without end', (n) => `<b${repeat(' a', n)}>x`),
    worst('"=" in a tag', (n) => `<b${repeat('=', n)}>x`),
    worst('a quote never closed', (n) => `<b a="${repeat('x', n)}`),
    worst('<script> never closed', (n) => `<script>${repeat('</scrip', n)}`),
    worst('<style></style> over and over', (n) => repeat('<style></style>', n)),
    worst('a run of spaces, then "x"', (n) => repeat(' ', n, 'x')),
    worst('one long word', (n) => repeat('x', n)),
  ];
  for (const c of cases) {
    it(c.name, () => expectLinear((html) => htmlToText(html, TEXT_MAX_CHARS + 1), c, HTML_MAX_CHARS, BOUND));
  }
});

describe('header values: linear in the header', () => {
  const header = (name: string, value: string) => `${name}: ${value}`;
  it('encoded-words over and over, and their beginnings', async () => {
    await expectLinear((v) => decodeWords(v), worst('words', (n) => repeat('=?utf-8?q?a?= ', n)), MAX_HEAD_SIZE, BOUND);
    await expectLinear((v) => decodeWords(v), worst('beginnings', (n) => repeat('=?', n)), MAX_HEAD_SIZE, BOUND);
    await expectLinear((v) => decodeWords(v), worst('a word and spaces', (n) => `=?utf-8?q?a?=${repeat(' ', n, 'x')}`), MAX_HEAD_SIZE, BOUND);
  });
  it('a folded header of spaces and line breaks', async () => {
    await expectLinear((v) => headerLineValue(header('Subject', v)), worst('folding', (n) => repeat('\r\n ', n, 'x')), MAX_HEAD_SIZE, BOUND);
  });
  it('message ids: "@" over and over, "<" over and over', async () => {
    await expectLinear((v) => messageIds(v), worst('@ over and over, then a space', (n) => repeat('a@', n, ' x')), MAX_HEAD_SIZE, BOUND);
    await expectLinear((v) => messageIds(v), worst('< over and over', (n) => repeat('<', n)), MAX_HEAD_SIZE, BOUND);
  });
  it('a From line of quotes, groups or addresses (read up to FROM_MAX_CHARS, refused past it)', async () => {
    for (const c of [worst('quotes', (n) => repeat('"a"', n)), worst('groups', (n) => repeat('a:b;', n)), worst('addresses', (n) => repeat('<a@b>,', n))]) {
      await expectLinear((v) => firstAddress(header('From', v)), c, FROM_MAX_CHARS, BOUND);
      await expectLinear((v) => authorProblemOf([{ key: 'from', line: header('From', v) }]), c, MAX_HEAD_SIZE, BOUND);
    }
  });
});

describe('delivery-status parts: linear in the part', () => {
  const cases: WorstCase[] = [
    worst('blank lines of spaces', (n) => repeat('\n \t', n)),
    worst('one line break, then spaces', (n) => `\n${repeat(' ', n, 'x')}`),
    worst('a long field name without a colon', (n) => repeat('a', n)),
    worst('recipient blocks', (n) => lines('Final-Recipient: rfc822; a@b\nAction: failed\nStatus: 5.1.1\n', n)),
    worst('folded lines', (n) => `Diagnostic-Code: smtp; 550${repeat('\n x', n)}`),
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await expectLinear((text) => readDeliveryStatus(text), c, DSN_PART_MAX, BOUND);
      await expectLinear((text) => readReturnedMessageId(text), c, DSN_PART_MAX, BOUND);
    });
  }
});
