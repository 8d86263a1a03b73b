// Text from outside meets only linear-time code (STYLE habit 11): each domain function that reads
// mail text gets its worst inputs at the size it can be given (long runs of spaces, `>`, `|`, one
// repeated token, digits, `@`, long lines, many short lines), and its CPU time must stay within 100
// times a linear baseline of the same size (test/helpers/cpuWork.ts). Linear code here measures up
// to about 35 times the baseline (a dozen patterns per line of a text of one-character lines); the
// quadratic code this replaced measured thousands of times at a sixteenth of these sizes (120,000
// spaces and an "x": 11.5 s of CPU in the reply extraction, against a baseline under 1 ms).
import { describe, it } from 'vitest';
import { detectAutoReply } from '../../src/domain/autoReply.js';
import { BOUNCE_TEXT_MAX, classifyBounce, statusOf } from '../../src/domain/bounceRules.js';
import { caseNumberInSubject, caseTokenOf, tokenOfMessageId } from '../../src/domain/mailNames.js';
import { MAX_ATTRIBUTION_CHARS } from '../../src/domain/replyPatterns.js';
import { extractReply } from '../../src/domain/replyText.js';
import { autoResponseWanted, firstNameFor } from '../../src/domain/routingRules.js';
import { DSN_PART_MAX, MAX_HEAD_SIZE, TEXT_MAX_CHARS } from '../../src/ingest/parse.js';
import { expectLinear, lines, repeat, type WorstCase } from '../helpers/cpuWork.js';

const BOUND = 100;

/** A line as long as an attribution may be, made of `token`, ending in `end`. */
const attributionLine = (token: string, end: string, length = MAX_ATTRIBUTION_CHARS): string => repeat(token, length, end).slice(-length);

const worst = (name: string, make: (chars: number) => string): WorstCase => ({ name, make });

describe('extractReply: linear in the text, whatever the text', () => {
  const cases: WorstCase[] = [
    worst('a run of spaces, then "x"', (n) => repeat(' ', n, 'x')),
    worst('a run of tabs, then "x"', (n) => repeat('\t', n, 'x')),
    worst('spaces at the end of every line', (n) => lines(`x${' '.repeat(200)}`, n)),
    worst('one line of ">"', (n) => repeat('>', n)),
    worst('lines of "> "', (n) => lines('> '.repeat(40), n)),
    worst('"|" lines under an attribution', (n) => `On 23 Nov 2026, Ann wrote:\n${lines('| '.repeat(40), n)}`),
    worst('one line of "|"', (n) => `On 23 Nov 2026, Ann wrote:\n${repeat('|', n)}`),
    worst('"On 1 " over and over, lines ending in a colon', (n) => lines(attributionLine('On 1 ', ':'), n)),
    worst('digits, lines ending in a full-width colon', (n) => lines(attributionLine('1', '：'), n)),
    worst('digits over three wrapped lines', (n) => lines(attributionLine('1', '', 132), n)),
    worst('"At 1, " over and over', (n) => lines(`At ${attributionLine('1, ', ' wrote:')}`, n)),
    worst('addresses over and over', (n) => lines(attributionLine('1 a@b.c ', ':'), n)),
    worst('commas before an @', (n) => lines(`1 ${','.repeat(MAX_ATTRIBUTION_CHARS - 10)}@b.c：`, n)),
    worst('dots after an @', (n) => lines(`1 a@${'.'.repeat(MAX_ATTRIBUTION_CHARS - 10)}x：`, n)),
    worst('one long word and an address', (n) => lines(`${'a'.repeat(MAX_ATTRIBUTION_CHARS - 30)} a@b.c wrote:`, n)),
    worst('"schrieb am 1" over and over', (n) => lines(attributionLine(' schrieb am 1', '：'), n)),
    worst('"Am 1 schrieb" over and over', (n) => lines(`Am 1${attributionLine(' schrieb', '：')}`, n)),
    worst('"kirjoitti" over and over', (n) => lines(attributionLine(' kirjoitti 1', '：'), n)),
    worst('"Op 1 heeft" over and over', (n) => lines(`Op 1${attributionLine(' heeft x', '：')}`, n)),
    worst('"wrote on" over and over', (n) => lines(attributionLine('x wrote on ', '：'), n)),
    worst('"5xx user" over and over', (n) => lines(attributionLine('550 user ', ':'), n)),
    worst('one long line', (n) => repeat('x', n)),
    worst('one long line of dashes', (n) => repeat('-', n)),
    worst('lines of dashes', (n) => lines('-'.repeat(MAX_ATTRIBUTION_CHARS - 1), n)),
    worst('many short lines', (n) => lines('x', n)),
    worst('many empty lines', (n) => repeat('\n', n)),
    worst('many short lines ending in a colon', (n) => lines('1:', n)),
    worst('From: lines', (n) => lines('From: x', n)),
    worst('From: and Sent: lines', (n) => lines('From: x\nSent: 1', n)),
    worst('From: lines above long lines', (n) => lines(`From: x\n${'y'.repeat(5000)}`, n)),
    // Quotes after the writer's initials, attributions without a colon, wrapped inside the address.
    worst('one line of capitals', (n) => repeat('A', n)),
    worst('lines of "AS> "', (n) => lines('AS> '.repeat(40), n)),
    worst('date-and-name lines', (n) => lines(`2026-11-23 10:02 GMT+01:00 ${'Ann '.repeat(25)}`, n)),
    worst('date-and-name lines above quotes', (n) => lines('2026/11/23 Ann <a@b.c>\n> x', n)),
    worst('date lines of "<" and "@"', (n) => lines(`2026/11/23 ${'a <a@'.repeat(70)}`, n)),
    worst('quoted lines ending in "<", then a colon', (n) => lines(`> 1 ${'x '.repeat(150)}<\nx@y> ${'1 '.repeat(150)}:`, n)),
    worst('"<" over three lines', (n) => lines(`Am 1 schrieb ${'<'.repeat(120)}\n>${'<'.repeat(120)}\n>:`, n)),
    worst('Mutt "* " lines', (n) => lines(`* ${'a '.repeat(100)}[2026-11-23 10:02${' '.repeat(50)}:`, n)),
    worst('", you wrote" over and over', (n) => lines(`Monday, 1${', you wrote'.repeat(38)}:`, n)),
    worst('"|" lines after a "|" quote', (n) => `On 23 Nov 2026, Ann wrote:\n| x\n${lines('x\n| y', n)}`),
  ];
  for (const c of cases) {
    it(c.name, () => expectLinear((text) => extractReply(text), c, TEXT_MAX_CHARS, BOUND));
  }
});

describe('classifyBounce and statusOf: linear in what they read', () => {
  // A subject that no pattern matches, so that every pattern reads the text; and one that matches
  // at once, so that the failed address is looked for in the text.
  const NO_MATCH = 'Re: the printer';
  const MATCH = 'Undelivered Mail Returned to Sender';
  const cases: Array<[WorstCase, string]> = [
    [worst('"550 user " over and over', (n) => repeat('550 user ', n)), NO_MATCH],
    [worst('"550 " over and over', (n) => repeat('550 ', n)), NO_MATCH],
    [worst('"550 user" lines', (n) => lines('550 user 550 user 550', n)), NO_MATCH],
    [worst('a run of address characters', (n) => repeat('a', n)), MATCH],
    [worst('"a@" over and over', (n) => repeat('a@', n)), MATCH],
    [worst('"a@b." over and over', (n) => repeat('a@b.', n)), MATCH],
    [worst('digits and dots', (n) => repeat('5.5.', n)), MATCH],
    [worst('"was not delivered to:" over and over', (n) => repeat('was not delivered to:', n)), NO_MATCH],
    [worst('"Warning: message " lines', (n) => lines(repeat('Warning: message ', 200), n)), NO_MATCH],
    [worst('spaces', (n) => repeat(' ', n, 'x')), NO_MATCH],
    // Where the copy of our message starts, and the failure notices that start with dashes.
    [worst('one line of dashes', (n) => repeat('-', n)), NO_MATCH],
    [worst('lines of dashes', (n) => lines('-'.repeat(200), n)), NO_MATCH],
    [worst('"|-" over and over', (n) => repeat('|-', n)), NO_MATCH],
    // Our own subject taken out of the server's words.
    [worst('"[Case 00001001]" over and over', (n) => repeat('[Case 00001001] ', n)), MATCH],
    [worst('"[Case " over and over', (n) => repeat('[Case ', n)), MATCH],
    // Addresses that are not the failed one: each is passed over in time of its own.
    [worst('addresses on one From: line', (n) => `From: ${repeat('a@b.c ', n)}`), MATCH],
    [worst('"mail from a@b.c" over and over', (n) => repeat('mail from a@b.c ', n)), MATCH],
    [worst('postmaster addresses', (n) => repeat('postmaster@b.c ', n)), MATCH],
    [worst('From: lines of addresses', (n) => lines(`From: ${'a@b.c '.repeat(30)}`, n)), MATCH],
  ];
  for (const [c, subject] of cases) {
    it(`the text: ${c.name}`, () => expectLinear((text) => classifyBounce({ subject, text, recipients: [] }), c, BOUNCE_TEXT_MAX, BOUND));
  }
  it('a subject of "550 user " over and over', async () => {
    await expectLinear((subject) => classifyBounce({ subject, text: '', recipients: [] }), worst('subject', (n) => repeat('550 user ', n)), MAX_HEAD_SIZE, BOUND);
  });
  it('a subject of "[Case " over and over', async () => {
    await expectLinear((subject) => classifyBounce({ subject, text: '', recipients: [] }), worst('subject', (n) => repeat('[Case 0000100', n)), MAX_HEAD_SIZE, BOUND);
  });
  it('statusOf a delivery-status field of digits and dots', async () => {
    await expectLinear((field) => statusOf(field), worst('digits and dots', (n) => repeat('5.5.', n)), DSN_PART_MAX, BOUND);
    await expectLinear((field) => statusOf(field), worst('digits', (n) => repeat('5', n)), DSN_PART_MAX, BOUND);
  });
});

describe('detectAutoReply: linear in header values and the subject', () => {
  const input = (name: string, value: string) => ({ header: (h: string) => (h === name ? value : undefined), mailFrom: 'ann@acme.example', fromAddress: 'ann@acme.example' });
  const cases: Array<[string, string]> = [
    ['Auto-Submitted', 'no'],
    ['Precedence', 'bulk'],
    ['X-Autoreply', 'yes'],
  ];
  for (const [header, start] of cases) {
    it(`${header}: "${start}", a run of spaces, then "x"`, async () => {
      await expectLinear((value) => detectAutoReply(input(header, value)), worst(header, (n) => `${start}${repeat(' ', n, 'x')}`), MAX_HEAD_SIZE, BOUND);
    });
  }
  it('a subject of "Auto", spaces, then "x"', async () => {
    await expectLinear((subject) => detectAutoReply({ ...input('', ''), subject }), worst('subject', (n) => `Auto${repeat(' ', n, 'x')}`), MAX_HEAD_SIZE, BOUND);
  });
});

describe('names of ours read from addresses and headers: linear', () => {
  it('caseTokenOf a long address', async () => {
    await expectLinear((a) => caseTokenOf(a, 'cases.example'), worst('case+ and letters', (n) => `case+${repeat('a', n)}@x`), MAX_HEAD_SIZE, BOUND);
  });
  it('tokenOfMessageId of a long id with ">" inside', async () => {
    await expectLinear((id) => tokenOfMessageId(id, 'cases.example'), worst('letters, @, ">"', (n) => `<${'a'.repeat(20)}@${repeat('x>', n)}y`), MAX_HEAD_SIZE, BOUND);
  });
  it('caseNumberInSubject of "[Case " and spaces', async () => {
    await expectLinear((s) => caseNumberInSubject(s), worst('[Case and spaces', (n) => repeat('[Case ', n)), MAX_HEAD_SIZE, BOUND);
    await expectLinear((s) => caseNumberInSubject(s), worst('[Case, spaces, x', (n) => `[Case${repeat(' ', n, 'x')}`), MAX_HEAD_SIZE, BOUND);
  });
});

describe('routing-address rules on mail text: linear', () => {
  it('autoResponseWanted with a condition that almost matches everywhere', async () => {
    const condition = `${'a'.repeat(1000)}b`;
    await expectLinear((body) => autoResponseWanted(condition, { subject: '', body }), worst('a run of "a"', (n) => repeat('a', n)), TEXT_MAX_CHARS, BOUND);
  });
  it('firstNameFor a display name of spaces', async () => {
    await expectLinear((name) => firstNameFor(null, name), worst('spaces', (n) => repeat(' \t', n, 'x')), MAX_HEAD_SIZE, BOUND);
  });
});
