// Every fixture in fixtures/replies/: the message is parsed as mail arrives (mailparser, the real
// parse stage) and the new text extractReply() keeps must equal NAME.expected.txt beside it. The
// names say the behaviour: attribution-<language>-<client>, separator-…, header-block-…,
// bottom-post-…, inline-answers-…, forward-only-…, signature-…-kept, prose-…-kept.
import { describe, expect, it } from 'vitest';
import { extractReply } from '../../src/domain/replyText.js';
import { fixtureSet } from '../helpers/fixtures.js';

const fixtures = fixtureSet('replies');
const { names } = fixtures;

async function newText(name: string): Promise<string> {
  const msg = await fixtures.parse(name);
  return extractReply(msg.text).body;
}

describe('fixtures/replies: the new text of real-looking replies', () => {
  it('holds at least 60 fixtures, each with its expected text', () => {
    expect(names.length).toBeGreaterThanOrEqual(60);
    expect(names.filter((n) => !fixtures.exists(n, '.expected.txt'))).toEqual([]);
  });

  it('covers every style SPEC §4 names', () => {
    const styles = ['attribution-en', 'attribution-de', 'attribution-fr', 'attribution-es', 'attribution-it', 'attribution-pt', 'attribution-nl',
      'attribution-sv', 'attribution-no', 'attribution-da', 'attribution-pl', 'attribution-ru', 'attribution-uk', 'attribution-ja', 'attribution-zh',
      'wrapped', 'date-first', 'at-you-wrote', 'name-address-wrote', 'bar-quoted', 'separator-de', 'separator-es', 'star-original', 'zoho',
      'header-block-de', 'header-block-fr', 'header-block-it', 'header-block-sv', 'marker', 'bottom-post', 'inline-answers', 'forward-only', 'signature'];
    expect(styles.filter((s) => !names.some((n) => n.includes(s)))).toEqual([]);
  });

  for (const name of names) {
    it(name, async () => {
      const expected = fixtures.read(name, '.expected.txt').replace(/\n$/, '');
      expect(await newText(name)).toBe(expected);
    });
  }
});
