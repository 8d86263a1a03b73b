import { describe, expect, it } from 'vitest';
import { decodeWords, firstAddress, firstHeader, headerLineValue, messageIds } from '../../src/ingest/headerText.js';

describe('RFC 2047 encoded-words', () => {
  it('decodes Q and B words in any case', () => {
    expect(decodeWords('=?iso-8859-1?q?M=FCller?=')).toBe('Müller');
    expect(decodeWords('=?UTF-8?b?R3LDtsOfZQ==?=')).toBe('Größe');
  });

  it('reads "_" in a Q word as a space', () => {
    expect(decodeWords('=?utf-8?Q?Printer_on_floor_3?=')).toBe('Printer on floor 3');
  });

  it('drops the whitespace between two words but keeps it next to plain text', () => {
    expect(decodeWords('Re: =?utf-8?Q?Gr=C3=B6?=  \r\n =?utf-8?Q?=C3=9Fe?= A3')).toBe('Re: Größe A3');
  });

  it('joins a character split over two words before decoding it', () => {
    // 🖨 is F0 9F 96 A8; the first word ends in the middle of it
    expect(decodeWords('=?UTF-8?B?8J8=?= =?UTF-8?B?lqg=?=')).toBe('🖨');
  });

  it('leaves a word in an unknown charset as it is', () => {
    expect(decodeWords('=?x-no-such-charset?Q?abc?=')).toBe('=?x-no-such-charset?Q?abc?=');
  });

  it('leaves text without words alone', () => {
    expect(decodeWords('Printer on floor 3 = jammed?')).toBe('Printer on floor 3 = jammed?');
  });
});

describe('header values', () => {
  it('unfolds, trims and decodes raw 8-bit UTF-8', () => {
    const line = Buffer.from('Subject: Gr\u00f6\u00dfe\r\n  A3 ', 'utf8').toString('latin1');
    expect(headerLineValue(line)).toBe('Größe  A3');
  });

  it('reads 8-bit bytes that are not UTF-8 as Latin-1', () => {
    expect(headerLineValue('Subject: M\u00fcller')).toBe('Müller');
  });

  it('firstHeader is case-insensitive and takes the first of repeated headers', () => {
    const lines = [
      { key: 'received', line: 'Received: from a' },
      { key: 'received', line: 'Received: from b' },
    ];
    expect(firstHeader(lines, 'RECEIVED')).toBe('from a');
    expect(firstHeader(lines, 'subject')).toBeUndefined();
  });
});

describe('message ids', () => {
  it('keeps the angle brackets and reads several, also over folded lines', () => {
    expect(messageIds('<a@x> <b@y>\r\n <c@z>')).toEqual(['<a@x>', '<b@y>', '<c@z>']);
  });

  it('wraps a bare id in brackets, and gives nothing for junk', () => {
    expect(messageIds(' abc@def ')).toEqual(['<abc@def>']);
    expect(messageIds('no id here')).toEqual([]);
    expect(messageIds(undefined)).toEqual([]);
  });
});

describe('the first address of From', () => {
  it('decodes the display name', () => {
    expect(firstAddress('From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <jm@acme.example>, bob@acme.example')).toEqual({
      address: 'jm@acme.example',
      name: 'Jörg Müller',
    });
  });

  it('an encoded-word never makes up an address', () => {
    const spoof = 'From: =?utf-8?B?ZXZlQGV2aWwuZXhhbXBsZQ==?= <ann@acme.example>';
    expect(firstAddress(spoof)).toEqual({ address: 'ann@acme.example', name: 'eve@evil.example' });
  });

  it('takes the first member of a group, and null when there is no address', () => {
    expect(firstAddress('From: Support team: ann@acme.example, bob@acme.example;')?.address).toBe('ann@acme.example');
    expect(firstAddress('From: undisclosed-recipients:;')).toBeNull();
    expect(firstAddress(undefined)).toBeNull();
  });
});
