// Plain text of the HTML body of a mail that has no text part (SPEC §4 "HTML-only mail is turned
// into text"), in one pass over the HTML: no tree is built and nothing is read twice, so the time is
// linear in the HTML whatever its markup. (mailparser's html-to-text, used before, spent minutes on
// 2 MB of `<b>x</b>` and gave up on 5,000 nested `<div>`s with "Failed to parse HTML"; its parser's
// open-element stack is quadratic in the nesting depth.) Nothing here can fail: markup it does not
// know is read as inline, unclosed elements stay open, stray end tags are ignored.
//
// What the text keeps: paragraphs and line breaks (at most one blank line in a row), list items
// (" * ", " 1. "), blockquotes as "> " lines (so the reply extraction drops them like any quote),
// table rows on lines of their own with cells set apart by " | ", a link's target in brackets after
// its text (unless the text says it already), an image's alt text. Embedded `cid:` images (stored as
// attachments), scripts, styles, the title and comments leave nothing (htmlScan.ts reads the HTML). Pure.
import { scanHtml, type HtmlReader } from './htmlScan.js';

/** Elements on lines of their own; the number is how many line breaks set them apart (2: a blank line). */
const BLOCKS: ReadonlyMap<string, 1 | 2> = new Map([
  ...['address', 'article', 'aside', 'caption', 'center', 'dd', 'details', 'dialog', 'dir', 'div', 'dl', 'dt', 'fieldset'].map((t) => [t, 1] as const),
  ...['figcaption', 'figure', 'footer', 'form', 'header', 'hgroup', 'legend', 'main', 'menu', 'nav', 'section', 'summary', 'tr'].map((t) => [t, 1] as const),
  ...['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'table', 'hr'].map((t) => [t, 2] as const),
]);

/** A rule drawn by `<hr>`; 20 dashes or more read as the rule above a quoted header block. */
export const HR_LINE = '-'.repeat(40);

/** Quote prefixes and list indents stop growing here, so that deep nesting costs no more per line. */
const MAX_NESTING = 8;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;

/**
 * The text of `html`. With `maxChars`, reading stops once the text is longer than that (the caller
 * cuts it and says so), so that markup which makes much text of little HTML costs no more.
 */
export function htmlToText(html: string, maxChars = Number.POSITIVE_INFINITY): string {
  const out = new TextWriter(maxChars);
  scanHtml(html, out);
  return out.toString();
}

interface OpenLink {
  href: string;
  /** The start of the link's text, as long as it could still equal the target. */
  text: string;
}

/**
 * Builds the text: words are written when they come, line breaks and spaces only when a word
 * follows, so the text has no leading, trailing or doubled blank lines and no trailing spaces.
 */
class TextWriter implements HtmlReader {
  full = false;
  private out = '';
  /** Line breaks to write before the next word; 2 or more is one blank line. */
  private breaks = 0;
  /** Quote depth when the pending breaks were asked for: blank lines between quoted lines stay quoted. */
  private breakDepth = 0;
  private space = false;
  private separator = false;
  private lineStart = true;
  private marker: string | null = null;
  private quoteDepth = 0;
  private preDepth = 0;
  private preJustOpened = false;
  private cells = 0;
  private readonly lists: Array<{ ordered: boolean; count: number }> = [];
  private readonly links: OpenLink[] = [];

  constructor(private readonly maxChars: number) {}

  open(name: string, attributes: ReadonlyMap<string, string>): void {
    this.preJustOpened = false;
    switch (name) {
      case 'br':
        return this.lineBreak();
      case 'hr':
        this.block(2);
        this.word(HR_LINE);
        return this.block(2);
      case 'img':
        if (!/^cid:/i.test(attributes.get('src') ?? '')) this.text(attributes.get('alt') ?? '');
        return;
      case 'a':
        this.links.push({ href: attributes.get('href') ?? '', text: '' });
        return;
      case 'ul':
      case 'ol':
        this.block(this.lists.length === 0 ? 2 : 1);
        this.lists.push({ ordered: name === 'ol', count: 0 });
        return;
      case 'li': {
        this.block(1);
        const list = this.lists[this.lists.length - 1];
        const indent = '   '.repeat(Math.min(Math.max(this.lists.length - 1, 0), MAX_NESTING));
        if (list?.ordered === true) list.count += 1;
        this.marker = `${indent}${list?.ordered === true ? ` ${list.count}. ` : ' * '}`;
        return;
      }
      case 'td':
      case 'th':
        if (this.cells > 0) this.separator = true;
        this.cells += 1;
        return;
    }
    const block = BLOCKS.get(name);
    if (block === undefined) return;
    this.block(block);
    if (name === 'tr') this.cells = 0;
    if (name === 'blockquote') this.quoteDepth += 1;
    if (name === 'pre') {
      this.preDepth += 1;
      this.preJustOpened = true;
    }
  }

  close(name: string): void {
    this.preJustOpened = false;
    switch (name) {
      case 'br': // `</br>` is read as `<br>`, as browsers do
        return this.lineBreak();
      case 'a':
        return this.closeLink();
      case 'ul':
      case 'ol':
        this.lists.pop();
        return this.block(this.lists.length === 0 ? 2 : 1);
      case 'li':
        this.marker = null;
        return this.block(1);
    }
    const block = BLOCKS.get(name);
    if (block === undefined) return;
    this.block(block);
    if (name === 'blockquote') this.quoteDepth = Math.max(0, this.quoteDepth - 1);
    if (name === 'pre') this.preDepth = Math.max(0, this.preDepth - 1);
  }

  /** Text between tags, references decoded: runs of white space are one space, except in `<pre>`. */
  text(text: string): void {
    if (this.preDepth > 0) return this.preformatted(text);
    let i = 0;
    while (i < text.length && !this.full) {
      if (isSpace(text.charCodeAt(i))) {
        this.space = true;
        i++;
        continue;
      }
      const start = i;
      while (i < text.length && !isSpace(text.charCodeAt(i))) i++;
      this.word(start === 0 && i === text.length ? text : text.slice(start, i));
    }
  }

  toString(): string {
    return this.out.length > this.maxChars ? this.out.slice(0, this.maxChars) : this.out;
  }

  /** Text in `<pre>`: its spaces kept, each line break a line break. */
  private preformatted(text: string): void {
    let i = 0;
    // A line break right after <pre> is not part of its text.
    if (this.preJustOpened) i = text.startsWith('\r\n') ? 2 : text.startsWith('\n') ? 1 : 0;
    this.preJustOpened = false;
    while (i < text.length && !this.full) {
      const newline = text.indexOf('\n', i);
      const next = newline < 0 ? text.length : newline;
      const end = next > i && text.charCodeAt(next - 1) === 0x0d ? next - 1 : next;
      if (end > i) this.word(text.slice(i, end));
      if (newline >= 0) this.lineBreak();
      i = next + 1;
    }
  }

  private block(breaks: 1 | 2): void {
    if (this.out.length === 0) return;
    if (this.breaks === 0) this.breakDepth = this.quoteDepth;
    this.breaks = Math.max(this.breaks, breaks);
    this.space = false;
    this.separator = false;
  }

  private lineBreak(): void {
    if (this.out.length === 0) return;
    if (this.breaks === 0) this.breakDepth = this.quoteDepth;
    this.breaks = Math.min(this.breaks + 1, 2);
    this.space = false;
    this.separator = false;
  }

  private word(word: string): void {
    if (this.breaks > 0) {
      const depth = Math.min(this.quoteDepth, MAX_NESTING);
      if (this.breaks > 1) this.write(`\n${quotePrefix(Math.min(this.breakDepth, depth)).trimEnd()}`);
      this.write('\n');
      this.breaks = 0;
      this.lineStart = true;
    }
    if (this.lineStart) {
      this.write(quotePrefix(Math.min(this.quoteDepth, MAX_NESTING)) + (this.marker ?? ''));
      this.marker = null;
    } else if (this.separator) {
      this.write(' | ');
    } else if (this.space) {
      this.write(' ');
    }
    this.lineStart = false;
    this.space = false;
    this.separator = false;
    this.write(word);
    const link = this.links[this.links.length - 1];
    if (link !== undefined && link.text.length <= link.href.length) link.text += (link.text === '' ? '' : ' ') + word;
  }

  /** After the text of a link, its target in brackets, unless the text is the target or the link has no text or target. */
  private closeLink(): void {
    const link = this.links.pop();
    if (link === undefined || link.text === '' || link.href === '' || /^(#|javascript:)/i.test(link.href)) return;
    const same = (a: string): string => a.replace(/^mailto:/i, '').replace(/\/$/, '').toLowerCase();
    if (same(link.text) === same(link.href)) return;
    this.space = true;
    this.word(`[${link.href}]`);
  }

  private write(s: string): void {
    this.out += s;
    if (this.out.length > this.maxChars) this.full = true;
  }
}

const QUOTE_PREFIXES = Array.from({ length: MAX_NESTING + 1 }, (_, depth) => '> '.repeat(depth));

function quotePrefix(depth: number): string {
  return QUOTE_PREFIXES[depth] ?? '';
}
