// The new text of a reply (SPEC §4 *Text*). Quoted history is cut: our reply marker, attribution
// lines in many languages (also wrapped over two or three lines, also inside the address, also a bare
// date and name above a quote), `>` quotes (also after the writer's initials: `AS> `), `|` quotes
// once an attribution has one under it, original-message separators and the header blocks of quoted
// messages. New text written below a quote (bottom posting) or between quoted parts (inline answers)
// is kept, and a forward keeps the forwarded message. The patterns are data in replyPatterns.ts. Pure.
import { REPLY_MARKER } from './mailNames.js';
import {
  ANY_ATTRIBUTION,
  BAR_QUOTED_LINE,
  DATE_NAME_ATTRIBUTIONS,
  FORWARD_LINES,
  HEADER_BLOCK,
  LEAD_IN_LINES,
  MAX_ATTRIBUTION_CHARS,
  QUOTED_LINE,
  SEPARATORS,
} from './replyPatterns.js';

export { ATTRIBUTIONS, FORWARD_LINES, HEADER_BLOCK, QUOTED_LINE, SEPARATORS } from './replyPatterns.js';

export interface ReplyText {
  /** The new text; the whole text when cutting would leave nothing. */
  body: string;
  /** True when something was cut. */
  quoted: boolean;
}

/** Largest comment body in characters (SPEC §4). */
export const MAX_BODY_CHARS = 131072;

/**
 * The lines kept so far and which of them are quotes, in arrays made once at the size of the text
 * (no line is kept twice): an object per line, or arrays grown line by line, cost more than the
 * rest of the work on a text of many short lines.
 */
interface Kept {
  lines: string[];
  quote: Uint8Array;
  length: number;
}

export function extractReply(text: string): ReplyText {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const whole = trimBlankLines(lines).join('\n');
  const kept: Kept = { lines: new Array<string>(lines.length), quote: new Uint8Array(lines.length), length: 0 };
  const keep = (line: string, quote: boolean): void => {
    kept.lines[kept.length] = line;
    kept.quote[kept.length] = quote ? 1 : 0;
    kept.length += 1;
  };
  /** `|` lines are quotes from the first attribution with a `|` quote under it on. */
  let barQuotes = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (QUOTED_LINE.test(line) || (barQuotes && BAR_QUOTED_LINE.test(line))) {
      keep(line, true);
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '') {
      keep(line, false);
      continue;
    }
    if (endsQuotedAttribution(lines, i, trimmed)) {
      keep(line, true);
      continue;
    }
    if (matchesAny(FORWARD_LINES, trimmed)) {
      // The forwarded message is content: kept as it is, with whatever was written above it.
      for (let j = i; j < lines.length; j++) keep(lines[j] ?? '', false);
      break;
    }
    if (isHistoryStart(lines, i, trimmed)) {
      dropLeadIn(kept);
      break;
    }
    const attribution = attributionLength(lines, i) || dateNameAttribution(lines, i, trimmed);
    if (attribution > 0) {
      const below = nextNonBlank(lines, i + attribution);
      const belowLine = lines[below] ?? '';
      if (below < lines.length && !QUOTED_LINE.test(belowLine) && !BAR_QUOTED_LINE.test(belowLine)) break; // unquoted history below
      // A quote follows: the attribution goes with it, and what is written after it is kept.
      if (BAR_QUOTED_LINE.test(belowLine)) barQuotes = true;
      i += attribution - 1;
      while (BAR_QUOTED_LINE.test(lines[i + 1] ?? '') || ((lines[i + 1] ?? '').trim() === '' && BAR_QUOTED_LINE.test(lines[i + 2] ?? ''))) {
        i++;
        keep(lines[i] ?? '', BAR_QUOTED_LINE.test(lines[i] ?? ''));
      }
      keep('', true);
      continue;
    }
    keep(line, false);
  }
  const body = trimBlankLines(withoutQuotes(kept)).join('\n');
  if (body === '') return { body: whole, quoted: false };
  return { body, quoted: body !== whole };
}

function matchesAny(patterns: readonly RegExp[], text: string): boolean {
  for (const p of patterns) if (p.test(text)) return true;
  return false;
}

/** Over `max` characters, the first `max` characters and a line saying how many were cut. */
export function truncateBody(text: string, max: number = MAX_BODY_CHARS): string {
  if (text.length <= max) return text;
  // Never split a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  const cut = text.length - end;
  return `${text.slice(0, end)}\n\n[casegate: ${cut} more characters cut; the body was longer than ${max} characters]`;
}

/** Our marker, a separator, or the header block of a quoted message starts on line i (`line`, trimmed). */
function isHistoryStart(lines: readonly string[], i: number, line: string): boolean {
  if (line.includes(REPLY_MARKER)) return true;
  if (line.length > MAX_ATTRIBUTION_CHARS) return false;
  for (const s of SEPARATORS) if (s.pattern.test(line)) return true;
  if (!HEADER_BLOCK.from.test(line)) return false;
  // Only the start of a line can name a header field: a long line is not trimmed whole, six times over.
  const following = lines.slice(i + 1, i + 1 + HEADER_BLOCK.within).map((l) => l.slice(0, MAX_ATTRIBUTION_CHARS).trim());
  return HEADER_BLOCK.then.every((p) => following.some((l) => p.test(l)));
}

/** Removes the blank lines and a rule (Outlook on the web's underscores) right above a cut. */
function dropLeadIn(kept: Kept): void {
  let end = kept.length;
  while (end > 0 && (kept.lines[end - 1] ?? '').trim() === '') end--;
  const last = (kept.lines[end - 1] ?? '').trim();
  if (end > 0 && matchesAny(LEAD_IN_LINES, last)) kept.length = end - 1;
}

/**
 * Lines taken by an attribution starting on line i: 1, or 2 or 3 when the client wrapped it; 0 when
 * none. An attribution ends at its colon: lines are joined only until one ends with a colon. A
 * client may wrap inside the address (`schrieb "Ann" <ann@acme.example` / `>:`): a line that starts
 * with the `>` closing an open `<` is the rest of the address, not a quote.
 */
function attributionLength(lines: readonly string[], i: number): 0 | 1 | 2 | 3 {
  let joined = '';
  for (let n = 1; n <= 3; n++) {
    const line = (lines[i + n - 1] ?? '').trim();
    if (line === '') return 0;
    if (QUOTED_LINE.test(line) && !(n > 1 && line.startsWith('>') && openAddress(joined))) return 0;
    joined = n === 1 ? line : joinWrapped(joined, line);
    if (joined.length > MAX_ATTRIBUTION_CHARS) return 0;
    if (/[:：]$/.test(joined)) return ANY_ATTRIBUTION.test(joined) ? (n as 1 | 2 | 3) : 0;
  }
  return 0;
}

/** A `<` without its `>` after it. */
function openAddress(text: string): boolean {
  return text.lastIndexOf('<') > text.lastIndexOf('>');
}

/** Two lines of a wrapped attribution as one: with a space, or none inside an address. */
function joinWrapped(joined: string, line: string): string {
  return openAddress(joined) && (joined.endsWith('<') || line.startsWith('>')) ? `${joined}${line}` : `${joined} ${line}`;
}

/**
 * Line i (unquoted) ends an attribution that starts quoted on the line above, wrapped inside its
 * address by a client that did not quote the rest (`> 23 нояб. …, пользователь "x" <` / `x@y> написал:`).
 */
function endsQuotedAttribution(lines: readonly string[], i: number, line: string): boolean {
  const above = lines[i - 1] ?? '';
  if (!/[:：]$/.test(line) || !QUOTED_LINE.test(above) || line.length > MAX_ATTRIBUTION_CHARS) return false;
  const start = above.slice(0, MAX_ATTRIBUTION_CHARS).replace(/^[ \t]*>[ \t]?/, '').trim();
  return openAddress(start) && ANY_ATTRIBUTION.test(joinWrapped(start, line));
}

/** 1 when line i is a date-and-name attribution (DATE_NAME_ATTRIBUTIONS) above a quote or at the end; else 0. */
function dateNameAttribution(lines: readonly string[], i: number, line: string): 0 | 1 {
  if (line.length > MAX_ATTRIBUTION_CHARS || !matchesAny(DATE_NAME_ATTRIBUTIONS, line)) return 0;
  const below = nextNonBlank(lines, i + 1);
  if (below >= lines.length) return 1;
  const belowLine = lines[below] ?? '';
  return QUOTED_LINE.test(belowLine) || BAR_QUOTED_LINE.test(belowLine) ? 1 : 0;
}

function nextNonBlank(lines: readonly string[], from: number): number {
  let i = from;
  while (i < lines.length && (lines[i] ?? '').trim() === '') i++;
  return i;
}

/**
 * Drops quoted lines; a blank line left on both sides of a dropped run is kept once, and answers
 * written right under and above a dropped run are kept apart by one blank line.
 */
function withoutQuotes(kept: Kept): string[] {
  const out: string[] = [];
  let dropped = false;
  /** The last line of `out` is blank (or there is none). */
  let lastBlank = true;
  for (let i = 0; i < kept.length; i++) {
    if (kept.quote[i] === 1) {
      dropped = true;
      continue;
    }
    const line = kept.lines[i] ?? '';
    const blank = line.trim() === '';
    if (!blank && dropped && !lastBlank) out.push('');
    if (!(blank && dropped && lastBlank)) {
      out.push(line);
      lastBlank = blank;
    }
    if (!blank) dropped = false;
  }
  return out;
}

function trimBlankLines(lines: readonly string[]): string[] {
  let start = 0;
  let end = lines.length;
  while (start < end && (lines[start] ?? '').trim() === '') start++;
  while (end > start && (lines[end - 1] ?? '').trim() === '') end--;
  // Trailing blanks go, but the signature delimiter keeps its space (`-- `, RFC 3676 §4.3).
  return lines.slice(start, end).map((l) => (l === '-- ' ? l : withoutTrailingBlanks(l)));
}

/**
 * The line without the spaces and tabs at its end, counted back from the end once. (The pattern
 * `/[ \t]+$/` tried again from every space of a run not at the end: quadratic in the run.)
 */
function withoutTrailingBlanks(line: string): string {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09)) end--;
  return end === line.length ? line : line.slice(0, end);
}
