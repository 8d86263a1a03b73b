// WHEN after --since: a date, a time, or a duration back from now; and Message-IDs as pasted.
import { describe, expect, it } from 'vitest';
import { parseSince } from '../../src/domain/since.js';
import { parseMessageIdRef } from '../../src/domain/ids.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const at = (text: string): number | string => {
  const r = parseSince(text, NOW);
  return 'at' in r ? new Date(r.at).toISOString() : r.problem;
};

describe('--since WHEN', () => {
  it('takes a duration back from now in minutes, hours, days or weeks', () => {
    expect(at('90m')).toBe('2026-12-06T10:30:00.000Z');
    expect(at('2h')).toBe('2026-12-06T10:00:00.000Z');
    expect(at('7D')).toBe('2026-11-29T12:00:00.000Z');
    expect(at('2w')).toBe('2026-11-22T12:00:00.000Z');
    expect(at('0d')).toBe('2026-12-06T12:00:00.000Z');
  });

  it('takes a date (midnight UTC) or a time, UTC unless it names its zone', () => {
    expect(at('2026-12-01')).toBe('2026-12-01T00:00:00.000Z');
    expect(at('2026-12-01T09:30')).toBe('2026-12-01T09:30:00.000Z');
    expect(at('2026-12-01t09:30:15.250z')).toBe('2026-12-01T09:30:15.250Z');
    expect(at('2026-12-01T09:30+02:00')).toBe('2026-12-01T07:30:00.000Z');
  });

  it('refuses anything else, days that do not exist and long text, saying what to give', () => {
    for (const bad of ['yesterday', '2h30m', '-2h', '2026-02-30', '2026-13-01', '12/01/2026', '', '1'.repeat(100_000) + 'd']) {
      expect(at(bad)).toMatch(/is not a time; give a date such as 2026-12-01, a time such as 2026-12-01T09:30Z, or a duration such as 90m, 2h, 7d or 2w$/);
    }
  });
});

describe('a Message-ID as pasted', () => {
  it('is kept with its angle brackets, added when left out', () => {
    expect(parseMessageIdRef('<abc.1@mail.example>')).toBe('<abc.1@mail.example>');
    expect(parseMessageIdRef(' abc.1@mail.example ')).toBe('<abc.1@mail.example>');
  });

  it('is refused when empty, with spaces or brackets inside', () => {
    for (const bad of ['', '<>', 'a b@x', '<a<b@x>', 'x'.repeat(1000)]) expect(parseMessageIdRef(bad)).toBeNull();
  });
});
