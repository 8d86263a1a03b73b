import { describe, expect, it } from 'vitest';
import { REPLY_MARKER } from '../../src/domain/mailNames.js';
import { ATTRIBUTIONS, MAX_BODY_CHARS, extractReply, truncateBody } from '../../src/domain/replyText.js';

const lines = (...l: string[]): string => l.join('\n');
const NEW = lines('The printer works again.', '', 'Ann');

describe('our reply marker cuts everything below it', () => {
  it('cuts the marker line and the notification under it', () => {
    const text = lines(NEW, '', REPLY_MARKER, '', 'Sam Support wrote:', 'Hi Ann', '--', 'Case 00001001');
    expect(extractReply(text)).toEqual({ body: NEW, quoted: true });
  });

  it('also cuts an "On … wrote:" line right above the marker', () => {
    const text = lines(NEW, '', 'On Mon, Nov 23, 2026 at 10:02 AM Acme Support <support@acme-support.example> wrote:', REPLY_MARKER, 'Hi');
    expect(extractReply(text).body).toBe(NEW);
  });

  it('finds the marker inside a line (HTML turned into text)', () => {
    expect(extractReply(lines(NEW, `  ${REPLY_MARKER}  `, 'old')).body).toBe(NEW);
  });
});

describe('"On … wrote:" attributions cut the history below them', () => {
  const cases: Array<[string, string]> = [
    ['Gmail', 'On Mon, 23 Nov 2026 at 10:02, Ann Archer <ann@acme.example> wrote:'],
    ['Gmail (US)', 'On Mon, Nov 23, 2026 at 10:02 AM Ann Archer <ann@acme.example> wrote:'],
    ['Apple Mail', 'On 23 Nov 2026, at 10:02, Ann Archer <ann@acme.example> wrote:'],
    ['Thunderbird', 'On 23/11/2026 10:02, Ann Archer wrote:'],
    ['German', 'Am 23.11.2026 um 10:02 schrieb Ann Archer <ann@acme.example>:'],
    ['French', 'Le lun. 23 nov. 2026 à 10:02, Ann Archer <ann@acme.example> a écrit :'],
  ];
  for (const [client, attribution] of cases) {
    it(`cuts a ${client} attribution and the quote under it`, () => {
      const text = lines(NEW, '', attribution, '', '> Hi Bob,', '> the printer is jammed.', '>', '> Ann');
      expect(extractReply(text)).toEqual({ body: NEW, quoted: true });
    });
  }

  it('cuts an attribution that Gmail wrapped over two lines', () => {
    const text = lines(NEW, '', 'On Mon, 23 Nov 2026 at 10:02, Acme Support <support@acme-support.example>', 'wrote:', '', '> old');
    expect(extractReply(text).body).toBe(NEW);
  });

  it('cuts an attribution even when the client did not quote the lines below it', () => {
    const text = lines(NEW, '', 'On 23/11/2026 10:02, Acme Support wrote:', 'old text, not quoted');
    expect(extractReply(text).body).toBe(NEW);
  });

  it('keeps a sentence that starts with "On" but is no attribution', () => {
    const text = lines('On floor 3 the printer is jammed.', 'On Monday it worked.');
    expect(extractReply(text)).toEqual({ body: text, quoted: false });
  });

  it('lists every client it knows as data', () => {
    expect(ATTRIBUTIONS.map((a) => a.client)).toEqual(
      expect.arrayContaining(['Gmail', 'Apple Mail', 'Thunderbird']),
    );
  });
});

describe('Outlook separators and header blocks cut the history', () => {
  it('cuts from "-----Original Message-----"', () => {
    const text = lines(NEW, '', '-----Original Message-----', 'From: Acme Support <support@acme-support.example>', 'Sent: Monday', 'old');
    expect(extractReply(text).body).toBe(NEW);
  });

  it('cuts an Outlook desktop From:/Sent:/To:/Subject: block', () => {
    const text = lines(
      NEW,
      '',
      'From: Acme Support <support@acme-support.example> ',
      'Sent: Monday, November 23, 2026 10:02 AM',
      'To: Ann Archer <ann@acme.example>',
      'Subject: [Case 00001001] Printer on floor 3 is jammed',
      '',
      'old text',
    );
    expect(extractReply(text)).toEqual({ body: NEW, quoted: true });
  });

  it('cuts an Outlook on the web block with the underscore line above it', () => {
    const text = lines(
      NEW,
      '________________________________',
      'From: Acme Support <support@acme-support.example>',
      'Sent: Monday, 23 November 2026 10:02',
      'To: Ann Archer <ann@acme.example>',
      'Subject: [Case 00001001] Printer on floor 3 is jammed',
      'old text',
    );
    expect(extractReply(text).body).toBe(NEW);
  });

  it('cuts a German Outlook block', () => {
    const text = lines(NEW, '', 'Von: Acme Support <support@acme-support.example>', 'Gesendet: Montag, 23. November 2026 10:02', 'An: Ann', 'Betreff: Drucker', 'alt');
    expect(extractReply(text).body).toBe(NEW);
  });

  it('keeps a "From:" line that is not followed by Sent and Subject', () => {
    const text = lines('From: the 3rd floor printer log', 'Error 13.A2.D3 at 10:02');
    expect(extractReply(text)).toEqual({ body: text, quoted: false });
  });
});

describe('">" quoted lines are dropped', () => {
  it('keeps answers written between quotes (inline replies)', () => {
    const text = lines('> Which tray jams?', '', 'Tray 2.', '', '> Which floor?', '', 'Floor 3.');
    expect(extractReply(text)).toEqual({ body: lines('Tray 2.', '', 'Floor 3.'), quoted: true });
  });

  it('keeps the answer of a bottom-posted reply below the attribution and quote', () => {
    const text = lines('On 23/11/2026 10:02, Acme Support wrote:', '> Which tray jams?', '', 'Tray 2.');
    expect(extractReply(text)).toEqual({ body: 'Tray 2.', quoted: true });
  });
});

describe('blank lines and empty results', () => {
  it('trims blank lines before and after the new text', () => {
    expect(extractReply(lines('', '', NEW, '', '', '  ')).body).toBe(NEW);
  });

  it('keeps the full text when cutting would leave nothing', () => {
    const text = lines('> only a quote', '> nothing new');
    expect(extractReply(text)).toEqual({ body: text, quoted: false });
    expect(extractReply(lines(REPLY_MARKER, 'old')).body).toBe(lines(REPLY_MARKER, 'old'));
  });

  it('reads CRLF text the same as LF text', () => {
    expect(extractReply(lines(NEW, '', '> old').replace(/\n/g, '\r\n')).body).toBe(NEW);
  });

  it('says quoted: false when there is no history', () => {
    expect(extractReply(NEW)).toEqual({ body: NEW, quoted: false });
    expect(extractReply('')).toEqual({ body: '', quoted: false });
  });
});

describe('quotes and attributions of fewer words: read only where they cannot be the writer\'s own', () => {
  it('a date and a name with a time is an attribution above a quote, and the writer\'s own above unquoted text', () => {
    const quoted = lines(NEW, '', '2026-11-23 10:02 GMT+01:00 Acme Support', '> Which tray?');
    expect(extractReply(quoted).body).toBe(NEW);
    const prose = lines('Booked for', '2026-11-24 10:00 Ann Archer', 'in room 3.14.');
    expect(extractReply(prose)).toEqual({ body: prose, quoted: false });
  });

  it('a line starting with the ">" that closes a wrapped address is part of the attribution, not a quote', () => {
    const text = lines(NEW, '', 'Am 23.11.2026 um 10:02 schrieb "Acme Support" <support@acme-support.example', '>:', '> Which tray?');
    expect(extractReply(text).body).toBe(NEW);
  });

  it('lines after one to three capitals and ">" are quotes; a ">" after a lower-case word is not', () => {
    expect(extractReply(lines('AS> Which tray?', '', NEW)).body).toBe(NEW);
    expect(extractReply(lines('С> Какой лоток?', '', NEW)).body).toBe(NEW);
    const prose = lines('Ann> is what the old system printed.', NEW);
    expect(extractReply(prose).body).toBe(prose);
  });

  it('"|" lines without an attribution above are the writer\'s own (a table, say)', () => {
    const text = lines('| tray | error |', '| 2 | 13.A2.D3 |', '', NEW);
    expect(extractReply(text)).toEqual({ body: text, quoted: false });
  });
});

describe('truncateBody keeps the first 131,072 characters and says how many were cut', () => {
  it('leaves a body at the limit alone', () => {
    const text = 'a'.repeat(MAX_BODY_CHARS);
    expect(truncateBody(text)).toBe(text);
    expect(MAX_BODY_CHARS).toBe(131072);
  });

  it('cuts a longer body and appends a marker line with the number of characters cut', () => {
    const text = 'a'.repeat(MAX_BODY_CHARS) + 'z'.repeat(500);
    const out = truncateBody(text);
    expect(out.startsWith('a'.repeat(MAX_BODY_CHARS) + '\n')).toBe(true);
    expect(out).not.toContain('z');
    expect(out.split('\n').at(-1)).toBe('[casegate: 500 more characters cut; the body was longer than 131072 characters]');
  });

  it('takes another limit', () => {
    expect(truncateBody('0123456789', 4)).toBe('0123\n\n[casegate: 6 more characters cut; the body was longer than 4 characters]');
  });

  it('never splits an emoji in two', () => {
    const out = truncateBody('ab😀cd', 3);
    expect(out.startsWith('ab\n')).toBe(true);
    expect(out).toContain('4 more characters cut');
  });
});
