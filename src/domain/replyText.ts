// The new text of a reply (SPEC §4 *Text*). Quoted history is cut: our reply marker, attribution
// lines in many languages (also wrapped over two or three lines), `>` quotes (and `|` quotes under an
// attribution), original-message separators and the header blocks of quoted messages. New text
// written below a quote (bottom posting) or between quoted parts (inline answers) is kept, and a
// forward keeps the forwarded message. The patterns are data in replyPatterns.ts. Pure.
import { REPLY_MARKER } from './mailNames.js';
import {
  ANY_ATTRIBUTION,
  BAR_QUOTED_LINE,
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
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (QUOTED_LINE.test(line)) {
      keep(line, true);
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '') {
      keep(line, false);
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
    const attribution = attributionLength(lines, i);
    if (attribution > 0) {
      const below = nextNonBlank(lines, i + attribution);
      const belowLine = lines[below] ?? '';
      if (below < lines.length && !QUOTED_LINE.test(belowLine) && !BAR_QUOTED_LINE.test(belowLine)) break; // unquoted history below
      // A quote follows: the attribution goes with it, and what is written after it is kept.
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
 * none. An attribution ends at its colon: lines are joined only until one ends with a colon.
 */
function attributionLength(lines: readonly string[], i: number): 0 | 1 | 2 | 3 {
  let joined = '';
  for (let n = 1; n <= 3; n++) {
    const line = (lines[i + n - 1] ?? '').trim();
    if (line === '' || QUOTED_LINE.test(line)) return 0;
    joined = n === 1 ? line : `${joined} ${line}`;
    if (joined.length > MAX_ATTRIBUTION_CHARS) return 0;
    if (/[:：]$/.test(joined)) return ANY_ATTRIBUTION.test(joined) ? (n as 1 | 2 | 3) : 0;
  }
  return 0;
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
