// SPEC §4 *One author*, read by the parse stage from the raw header lines (mailparser merges repeated
// headers, so the count comes from the lines): fixtures/authors/, and the reasons they give.
import { describe, expect, it } from 'vitest';
import { fixtureSet } from '../helpers/fixtures.js';
import { FROM_MAX_CHARS, authorProblemOf } from '../../src/ingest/parse.js';

const authors = fixtureSet('authors');

describe('fixtures/authors', () => {
  const expected: Record<string, string | null> = {
    'two-from-headers': 'the message has 2 From headers',
    'two-mailboxes-in-from': 'the From header holds 2 mailboxes',
    'group-in-from': 'the From header holds a group',
    'empty-group-in-from': 'the From header holds a group',
    'one-author-comma-in-name': null,
  };
  it('has a verdict for every fixture', () => {
    expect(authors.names).toEqual(Object.keys(expected).sort());
  });
  it.each(Object.entries(expected))('%s', async (name, why) => {
    const msg = await authors.parse(name);
    expect(msg.authorProblem).toBe(why);
    // The first From mailbox is still read (for the log), whatever the verdict.
    if (name !== 'empty-group-in-from') expect(msg.from?.address).toBe('ann@acme.example');
  });
});

describe('authorProblemOf', () => {
  const line = (value: string) => [{ key: 'from', line: `From: ${value}` }];
  it('one mailbox, with or without a display name or comment, is one author', () => {
    expect(authorProblemOf(line('ann@acme.example'))).toBeNull();
    expect(authorProblemOf(line('"Archer, Ann" <ann@acme.example>'))).toBeNull();
    expect(authorProblemOf(line('ann@acme.example (Ann, Acme)'))).toBeNull();
    expect(authorProblemOf(line('Ann\r\n <ann@acme.example>'))).toBeNull();
  });
  it('no From header is left to the stages that answer a message without a sender', () => {
    expect(authorProblemOf([{ key: 'subject', line: 'Subject: hi' }])).toBeNull();
  });
  it(`a From header longer than ${FROM_MAX_CHARS} characters is not read as addresses but refused`, () => {
    const name = 'A'.repeat(FROM_MAX_CHARS);
    expect(authorProblemOf(line(`"${name}" <ann@acme.example>`))).toBe(`the From header is longer than ${FROM_MAX_CHARS} characters`);
    expect(authorProblemOf(line(`"${name.slice(0, 1000)}" <ann@acme.example>`))).toBeNull();
  });
  it('three From headers, a folded list of mailboxes', () => {
    expect(authorProblemOf([...line('a@x.example'), ...line('b@x.example'), ...line('c@x.example')])).toBe('the message has 3 From headers');
    expect(authorProblemOf(line('a@x.example,\r\n b@x.example,\r\n c@x.example'))).toBe('the From header holds 3 mailboxes');
  });
});
