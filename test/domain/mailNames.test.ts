// Tokens casegate names its mail with (src/domain/mailNames.ts).
import { describe, expect, it } from 'vitest';
import { newMessageToken, newToken, outboundMessageId, tokenOfMessageId } from '../../src/domain/mailNames.js';

describe('newMessageToken', () => {
  it('is the time in base 36 (9 characters), then 15 random lowercase letters and digits', () => {
    const at = Date.UTC(2026, 11, 6, 16, 30);
    const tokens = Array.from({ length: 2000 }, () => newMessageToken(at));
    for (const t of tokens) expect(t).toMatch(new RegExp(`^${at.toString(36).padStart(9, '0')}[a-z0-9]{15}$`));
    expect(new Set(tokens).size).toBe(tokens.length);
    // Every character of the alphabet turns up in the random part: none is left out by the length.
    expect(new Set(tokens.flatMap((t) => [...t.slice(9)])).size).toBe(36);
  });

  it('sorts by the time it was made, so the unique index grows at its end', () => {
    const earlier = newMessageToken(Date.UTC(2026, 0, 1));
    const later = newMessageToken(Date.UTC(2026, 0, 1) + 1);
    expect(earlier < later).toBe(true);
  });

  it('is found again in the Message-ID made from it', () => {
    const t = newMessageToken();
    expect(tokenOfMessageId(outboundMessageId(t, 'cases.example'), 'cases.example')).toBe(t);
  });
});

describe('newToken', () => {
  it('is 24 random lowercase letters and digits', () => {
    const tokens = Array.from({ length: 500 }, () => newToken());
    for (const t of tokens) expect(t).toMatch(/^[a-z0-9]{24}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });
});
