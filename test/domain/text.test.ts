// Control characters in text typed by people (src/domain/text.ts): what a line and lines may hold,
// the same rule as the API's schema patterns, and linear time on the longest input.
import { describe, expect, it } from 'vitest';
import { controlCharacterIn, controlCharacterProblem, NO_CONTROL_PATTERN, type TextShape } from '../../src/domain/text.js';

describe('controlCharacterIn', () => {
  it('finds NUL, escape, DEL and C1 controls in a line, and tab and line breaks too', () => {
    expect(controlCharacterIn('Printer jammed', 'line')).toBeNull();
    expect(controlCharacterIn('Drucker klemmt – 打印机', 'line')).toBeNull();
    expect(controlCharacterIn('ab\u0000c', 'line')).toEqual({ index: 2, codePoint: 0 });
    for (const c of ['\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009f']) expect(controlCharacterIn(`a${c}`, 'line'), JSON.stringify(c)).not.toBeNull();
  });

  it('lets lines hold tabs and line breaks, and nothing else of the kind', () => {
    expect(controlCharacterIn('one\r\n\ttwo\nthree', 'lines')).toBeNull();
    expect(controlCharacterIn('one\n\u0007', 'lines')).toEqual({ index: 4, codePoint: 7 });
  });

  it('says which character, where, and what the field takes', () => {
    expect(controlCharacterProblem('subject', 'a\u0000', 'line')).toBe(
      'subject holds the control character U+0000 at position 2; it is one line of text, without tabs, line breaks or other control characters: remove it and send it again',
    );
    expect(controlCharacterProblem('body', 'ok\n', 'lines')).toBeNull();
  });

  it('agrees with the JSON Schema pattern of the API for every character of the first 64 Ki code points', () => {
    for (const shape of ['line', 'lines'] as TextShape[]) {
      const pattern = new RegExp(NO_CONTROL_PATTERN[shape], 'u');
      const disagree: number[] = [];
      for (let code = 0; code < 0x10000; code++) {
        if (code >= 0xd800 && code <= 0xdfff) continue;
        const s = `x${String.fromCharCode(code)}y`;
        if (pattern.test(s) !== (controlCharacterIn(s, shape) === null)) disagree.push(code);
      }
      expect(disagree, shape).toEqual([]);
    }
  });

  it('takes time linear in the length: 4 MB without a control character, then with one at the end', () => {
    const long = 'a'.repeat(4_000_000);
    expect(controlCharacterIn(long, 'lines')).toBeNull();
    expect(controlCharacterIn(`${long}\u0000`, 'line')).toEqual({ index: 4_000_000, codePoint: 0 });
    expect(new RegExp(NO_CONTROL_PATTERN.line, 'u').test(`${long}\u0000`)).toBe(false);
  });
});
