// The DNS records of outbound mail as text: the DKIM record's name and value, its zone-file form,
// and what a published record says of our key.
import { describe, expect, it } from 'vitest';
import { dkimRecordName, isDkimSelector, judgeDkimRecords, recordTags, zoneTxtLine } from '../../src/domain/dnsRecords.js';

describe('the DKIM record to publish', () => {
  it('lives at SELECTOR._domainkey.DOMAIN', () => {
    expect(dkimRecordName('CG2025', 'Example.COM')).toBe('cg2025._domainkey.example.com');
  });

  it('is cut into strings of at most 255 characters in a zone file', () => {
    const value = `v=DKIM1; k=rsa; p=${'A'.repeat(600)}`;
    const line = zoneTxtLine('s._domainkey.example.com', value);
    const strings = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    expect(strings.map((s) => s.length)).toEqual([255, 255, value.length - 510]);
    expect(strings.join('')).toBe(value);
    expect(line).toMatch(/^s\._domainkey\.example\.com\. IN TXT \( "/);
  });

  it('selectors are labels of letters, digits and inner hyphens', () => {
    for (const ok of ['casegate', 'cg-2025', 'a.b']) expect(isDkimSelector(ok)).toBe(true);
    for (const bad of ['', '-a', 'a_b', 'a..b', 'a b']) expect(isDkimSelector(bad)).toBe(false);
  });
});

describe('what a published record says of our key', () => {
  const p = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA';
  it('the same key, also folded with spaces or with k= left out', () => {
    expect(judgeDkimRecords([`v=DKIM1; k=rsa; p=${p}`], p)).toEqual({ kind: 'match' });
    expect(judgeDkimRecords([`v=DKIM1; p=${p.slice(0, 20)} ${p.slice(20)}`], p)).toEqual({ kind: 'match' });
  });
  it('missing, several, revoked, another kind, another key', () => {
    expect(judgeDkimRecords([], p)).toEqual({ kind: 'missing' });
    expect(judgeDkimRecords(['v=spf1 -all'], p)).toEqual({ kind: 'missing' });
    expect(judgeDkimRecords([`v=DKIM1; p=${p}`, `v=DKIM1; p=${p}`], p)).toEqual({ kind: 'several' });
    expect(judgeDkimRecords(['v=DKIM1; k=rsa; p='], p)).toEqual({ kind: 'revoked' });
    expect(judgeDkimRecords([`v=DKIM1; k=ed25519; p=${p}`], p)).toEqual({ kind: 'not-rsa', k: 'ed25519' });
    expect(judgeDkimRecords(['v=DKIM1; k=rsa; p=MIGfMA0'], p)).toEqual({ kind: 'other-key' });
  });
  it('tags are read in linear time, also from a long hostile record', () => {
    expect(recordTags(' V = DKIM1 ;k=rsa; p = ab cd ')).toEqual(new Map([['v', 'DKIM1'], ['k', 'rsa'], ['p', 'abcd']]));
    const hostile = `v=DKIM1;${'; ='.repeat(100_000)};p=x`;
    expect(recordTags(hostile).get('p')).toBe('x');
  });
});
