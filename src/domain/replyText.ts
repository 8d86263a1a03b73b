// The new text of a reply (SPEC §4 *Text*). Quoted history is cut: our reply marker, attribution
// lines in many languages (also wrapped over two or three lines), `>` quotes (and `|` quotes under an
// attribution), original-message separators and the header blocks of quoted messages. New text
// written below a quote (bottom posting) or between quoted parts (inline answers) is kept, and a
// forward keeps the forwarded message. The patterns are data in replyPatterns.ts. Pure.
import { REPLY_MARKER } from './mailNames.js';
import {
  ATTRIBUTIONS,
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

/** What a line of the reply is. */
type Kind = 'text' | 'quote';

export function extractReply(text: string): ReplyText {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const whole = trimBlankLines(lines).join('\n');
  const kept: Array<{ line: string; kind: Kind }> = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const trimmed = line.trim();
    if (QUOTED_LINE.test(line)) {
      kept.push({ line, kind: 'quote' });
      continue;
    }
    if (trimmed === '') {
      kept.push({ line, kind: 'text' });
      continue;
    }
    if (FORWARD_LINES.some((p) => p.test(trimmed))) {
      // The forwarded message is content: kept as it is, with whatever was written above it.
      for (const rest of lines.slice(i)) kept.push({ line: rest, kind: 'text' });
      break;
    }
    if (isHistoryStart(lines, i)) {
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
        kept.push({ line: lines[i] ?? '', kind: BAR_QUOTED_LINE.test(lines[i] ?? '') ? 'quote' : 'text' });
      }
      kept.push({ line: '', kind: 'quote' });
      continue;
    }
    kept.push({ line, kind: 'text' });
  }
  const body = trimBlankLines(withoutQuotes(kept)).join('\n');
  if (body === '') return { body: whole, quoted: false };
  return { body, quoted: body !== whole };
}

/** Over `max` characters, the first `max` characters and a line saying how many were cut. */
export function truncateBody(text: string, max: number = MAX_BODY_CHARS): string {
  if (text.length <= max) return text;
  // Never split a surrogate pair.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  const cut = text.length - end;
  return `${text.slice(0, end)}\n\n[casegate: ${cut} more characters cut; the body was longer than ${max} characters]`;
}

/** Our marker, a separator, or the header block of a quoted message starts on line i. */
function isHistoryStart(lines: readonly string[], i: number): boolean {
  const line = (lines[i] ?? '').trim();
  if (line.includes(REPLY_MARKER)) return true;
  if (line.length > MAX_ATTRIBUTION_CHARS) return false;
  if (SEPARATORS.some((s) => s.pattern.test(line))) return true;
  if (!HEADER_BLOCK.from.test(line)) return false;
  const following = lines.slice(i + 1, i + 1 + HEADER_BLOCK.within).map((l) => l.trim());
  return HEADER_BLOCK.then.every((p) => following.some((l) => p.test(l)));
}

/** Removes the blank lines and a rule (Outlook on the web's underscores) right above a cut. */
function dropLeadIn(kept: Array<{ line: string; kind: Kind }>): void {
  let end = kept.length;
  while (end > 0 && (kept[end - 1]?.line ?? '').trim() === '') end--;
  const last = (kept[end - 1]?.line ?? '').trim();
  if (end > 0 && LEAD_IN_LINES.some((p) => p.test(last))) kept.length = end - 1;
}

/** Lines taken by an attribution starting on line i: 1, or 2 or 3 when the client wrapped it; 0 when none. */
function attributionLength(lines: readonly string[], i: number): 0 | 1 | 2 | 3 {
  let joined = '';
  for (let n = 1; n <= 3; n++) {
    const line = (lines[i + n - 1] ?? '').trim();
    if (line === '' || QUOTED_LINE.test(line)) return 0;
    joined = n === 1 ? line : `${joined} ${line}`;
    if (joined.length > MAX_ATTRIBUTION_CHARS) return 0;
    if (/[:：]$/.test(joined) && ATTRIBUTIONS.some((a) => a.pattern.test(joined))) return n as 1 | 2 | 3;
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
function withoutQuotes(lines: ReadonlyArray<{ line: string; kind: Kind }>): string[] {
  const out: string[] = [];
  let dropped = false;
  for (const { line, kind } of lines) {
    if (kind === 'quote') {
      dropped = true;
      continue;
    }
    const blank = line.trim() === '';
    if (!blank && dropped && out.length > 0 && out[out.length - 1]?.trim() !== '') out.push('');
    if (!(blank && dropped && (out.length === 0 || out[out.length - 1]?.trim() === ''))) out.push(line);
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
  return lines.slice(start, end).map((l) => (l === '-- ' ? l : l.replace(/[ \t]+$/, '')));
}
