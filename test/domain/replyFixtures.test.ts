// Every fixture in fixtures/replies/: the message is parsed as mail arrives (mailparser, the real
// parse stage) and the new text extractReply() keeps must equal NAME.expected.txt beside it. The
// names say the behaviour: attribution-<language>-<client>, separator-…, header-block-…,
// bottom-post-…, inline-answers-…, forward-only-…, quote-prefix-…, signature-…-kept, prose-…-kept.
// A fixture named …-both-parts is multipart/alternative whose HTML part quotes in its own way: the
// text of its HTML part (as casegate makes it of HTML-only mail) must give the same new text.
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { extractReply } from '../../src/domain/replyText.js';
import { htmlToText } from '../../src/ingest/htmlText.js';
import { fixtureSet } from '../helpers/fixtures.js';

const fixtures = fixtureSet('replies');
const { names } = fixtures;

async function newText(name: string): Promise<string> {
  const msg = await fixtures.parse(name);
  return extractReply(msg.text).body;
}

describe('fixtures/replies: the new text of real-looking replies', () => {
  it('holds at least 100 fixtures, each with its expected text', () => {
    expect(names.length).toBeGreaterThanOrEqual(100);
    expect(names.filter((n) => !fixtures.exists(n, '.expected.txt'))).toEqual([]);
  });

  it('covers every style SPEC §4 names', () => {
    const styles = ['attribution-en', 'attribution-de', 'attribution-fr', 'attribution-es', 'attribution-it', 'attribution-pt', 'attribution-nl',
      'attribution-sv', 'attribution-no', 'attribution-da', 'attribution-pl', 'attribution-ru', 'attribution-uk', 'attribution-ja', 'attribution-zh',
      'wrapped', 'date-first', 'at-you-wrote', 'name-address-wrote', 'bar-quoted', 'separator-de', 'separator-es', 'star-original', 'zoho',
      'header-block-de', 'header-block-fr', 'header-block-it', 'header-block-sv', 'marker', 'bottom-post', 'inline-answers', 'forward-only', 'signature',
      // the second pass (issue 24)
      'ru-apple-wrapped-inside-address', 'de-thunderbird-wrapped-inside-address', 'date-name-only', 'then-nothing', 'bar-quoted-forum',
      'quote-prefix-initials', 'quote-prefix-c', 'both-parts', 'forward-only-outlook-wrapped-subject', 'quoted-list-headers'];
    expect(styles.filter((s) => !names.some((n) => n.includes(s)))).toEqual([]);
  });

  for (const name of names) {
    it(name, async () => {
      const expected = fixtures.read(name, '.expected.txt').replace(/\n$/, '');
      expect(await newText(name)).toBe(expected);
    });
  }
});

describe('fixtures/replies/…-both-parts: the plain part and the HTML part give the same new text', () => {
  const both = names.filter((n) => n.endsWith('-both-parts'));

  it('holds at least two such fixtures', () => {
    expect(both.length).toBeGreaterThanOrEqual(2);
  });

  for (const name of both) {
    it(name, async () => {
      const expected = fixtures.read(name, '.expected.txt').replace(/\n$/, '');
      const raw = fs.readFileSync(path.join(fixtures.dir, `${name}.eml`));
      const { html } = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
      expect(typeof html).toBe('string');
      expect(extractReply(htmlToText(html as string)).body).toBe(expected);
      expect(await newText(name)).toBe(expected);
    });
  }
});
