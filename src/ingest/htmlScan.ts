// Reading HTML in one pass, each character once, for htmlText.ts: the text between tags (character
// references decoded), start tags with the few attributes the text needs, end tags. Comments, the
// doctype and the content of script, style and title are skipped; a `<` that starts no tag is text;
// a tag cut off by the end of the HTML is dropped. No tree, no stack: what the tags mean is the
// reader's business. Pure.
import { decodeReferences } from './htmlEntities.js';

/** What scanHtml hands its findings to. */
export interface HtmlReader {
  /** True once the reader wants no more: scanning stops. */
  readonly full: boolean;
  /** Text between tags, references decoded. */
  text(text: string): void;
  /** A start tag: its name in lower case and the attributes of WANTED_ATTRIBUTES it has, references decoded. */
  open(name: string, attributes: ReadonlyMap<string, string>): void;
  /** An end tag, name in lower case. */
  close(name: string): void;
}

/** Elements whose content is not text to show: skipped up to their end tag. */
const SKIPPED = ['script', 'style', 'title'] as const;
const SKIPPED_END: ReadonlyMap<string, RegExp> = new Map(SKIPPED.map((t) => [t, new RegExp(`</${t}[\\t\\n\\f\\r />]`, 'gi')]));

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
const isLetter = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);

/** Reads `html` from start to end (or until the reader is full), telling `reader` what it finds. */
export function scanHtml(html: string, reader: HtmlReader): void {
  let i = 0;
  while (i < html.length && !reader.full) {
    const lt = html.indexOf('<', i);
    const end = lt < 0 ? html.length : lt;
    if (end > i) reader.text(decodeReferences(html.slice(i, end)));
    if (lt < 0) break;
    i = readMarkup(html, lt, reader);
  }
}

/** Reads the markup that starts with the `<` at `lt`; returns where the text after it starts. */
function readMarkup(html: string, lt: number, out: HtmlReader): number {
  const next = html.charCodeAt(lt + 1);
  if (html.startsWith('!--', lt + 1)) return after(html, '-->', lt + 2);
  if (next === 0x21 || next === 0x3f) return after(html, '>', lt + 2); // <!DOCTYPE …>, <![CDATA[…]]>, <?xml …?>
  if (next === 0x2f) {
    if (!isLetter(html.charCodeAt(lt + 2))) return html.charCodeAt(lt + 2) === 0x3e ? lt + 3 : after(html, '>', lt + 2);
    const tag = readTag(html, lt + 2);
    out.close(tag.name);
    return tag.end;
  }
  if (!isLetter(next)) {
    out.text('<');
    return lt + 1;
  }
  const tag = readTag(html, lt + 1);
  if (!tag.closed) return html.length; // the HTML ends inside the tag: no element
  out.open(tag.name, tag.attributes);
  const skipped = SKIPPED_END.get(tag.name);
  if (skipped === undefined) return tag.end;
  skipped.lastIndex = tag.end;
  const close = skipped.exec(html);
  return close === null ? html.length : after(html, '>', close.index);
}

/** Just past the first `mark` at or after `from`; the end of the HTML when there is none. */
function after(html: string, mark: string, from: number): number {
  const at = html.indexOf(mark, from);
  return at < 0 ? html.length : at + mark.length;
}

interface Tag {
  /** Lower case. */
  name: string;
  /** The attributes the text needs (href of `a`, src and alt of `img`), references decoded. */
  attributes: ReadonlyMap<string, string>;
  /** Just past the closing `>`, or the end of the HTML. */
  end: number;
  /** False when the HTML ends before the `>`. */
  closed: boolean;
}

/** The attributes read, by element (those the text needs); the others are skipped. */
const WANTED_ATTRIBUTES: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['a', new Set(['href'])],
  ['img', new Set(['src', 'alt'])],
]);
const NONE: ReadonlyMap<string, string> = new Map();

/** `/`, `>` and `=` end a name; `>` ends an unquoted value. */
const endsName = (c: number): boolean => isSpace(c) || c === 0x2f || c === 0x3e || c === 0x3d;

/**
 * Reads a tag name and its attributes from `from` (just past `<` or `</`) to its `>`, quotes
 * respected; every character once.
 */
function readTag(html: string, from: number): Tag {
  let i = from;
  while (i < html.length && !endsName(html.charCodeAt(i))) i++;
  const name = html.slice(from, i).toLowerCase();
  const wanted = WANTED_ATTRIBUTES.get(name);
  const attributes = wanted === undefined ? NONE : new Map<string, string>();
  const cutOff = { name, attributes, end: html.length, closed: false };
  while (i < html.length) {
    const c = html.charCodeAt(i);
    if (c === 0x3e) return { name, attributes, end: i + 1, closed: true };
    if (isSpace(c) || c === 0x2f) {
      i++;
      continue;
    }
    const start = i;
    i++; // a stray `=` starts a name of its own
    while (i < html.length && !endsName(html.charCodeAt(i))) i++;
    const attribute = wanted !== undefined && i - start <= 4 ? html.slice(start, i).toLowerCase() : '';
    while (i < html.length && isSpace(html.charCodeAt(i))) i++;
    if (html.charCodeAt(i) !== 0x3d) continue;
    i++;
    while (i < html.length && isSpace(html.charCodeAt(i))) i++;
    let value: string;
    const quote = html[i];
    if (quote === '"' || quote === "'") {
      const close = html.indexOf(quote, i + 1);
      if (close < 0) return cutOff;
      value = html.slice(i + 1, close);
      i = close + 1;
    } else {
      const valueStart = i;
      while (i < html.length && !isSpace(html.charCodeAt(i)) && html.charCodeAt(i) !== 0x3e) i++;
      value = html.slice(valueStart, i);
    }
    if (wanted?.has(attribute) === true && !attributes.has(attribute)) (attributes as Map<string, string>).set(attribute, decodeReferences(value).trim());
  }
  return cutOff;
}
