// The new text of a reply: quoted history (our reply marker, "On … wrote:" attributions, Outlook
// header blocks and separators, `>` lines) is cut, the rest kept. The patterns are data below. Pure.
import { REPLY_MARKER } from './mailNames.js';

export interface ReplyText {
  /** The new text; the whole text when cutting would leave nothing. */
  body: string;
  /** True when something was cut. */
  quoted: boolean;
}

/**
 * Attribution lines of mail clients: the line above the quoted message. Gmail may wrap one over
 * two lines, so each is also tried on a line joined with the next.
 */
export const ATTRIBUTIONS: ReadonlyArray<{ readonly client: string; readonly pattern: RegExp }> = [
  // On Mon, 23 Nov 2026 at 10:02, Ann Archer <ann@acme.example> wrote:
  // On Mon, Nov 23, 2026 at 10:02 AM Ann Archer <ann@acme.example> wrote:
  { client: 'Gmail', pattern: /^On [A-Z][a-z]{2}, .*\d{4},? at \d{1,2}:\d{2}.* wrote:$/ },
  // On 23 Nov 2026, at 10:02, Ann Archer <ann@acme.example> wrote:
  { client: 'Apple Mail', pattern: /^On \d{1,2} [A-Z][a-z]+ \d{4}, at \d{1,2}:\d{2}, .+ wrote:$/ },
  // On 23/11/2026 10:02, Ann Archer wrote:
  { client: 'Thunderbird', pattern: /^On \d{1,4}[/.-]\d{1,2}[/.-]\d{1,4},? \d{1,2}:\d{2}.*, .+ wrote:$/ },
  // Any other "On <date …> wrote:" line; a date always has a digit.
  { client: 'other (English)', pattern: /^On .*\d.* wrote:$/ },
  // Am 23.11.2026 um 10:02 schrieb Ann Archer <ann@acme.example>:
  { client: 'German', pattern: /^Am .*\d.* schrieb .+:$/ },
  // Le lun. 23 nov. 2026 à 10:02, Ann Archer <ann@acme.example> a écrit :
  { client: 'French', pattern: /^Le .*\d.* a écrit ?:$/ },
];

/** Lines that start the quoted history by themselves: they and everything below are cut. */
export const HISTORY_LINES: ReadonlyArray<{ readonly name: string; readonly pattern: RegExp }> = [
  { name: 'casegate reply marker', pattern: new RegExp(escapeRegExp(REPLY_MARKER)) },
  // -----Original Message----- (Outlook), -------- Original message -------- (Android)
  { name: 'original message separator', pattern: /^-{3,} ?Original [Mm]essage ?-{3,}$/ },
];

/**
 * Outlook's header block of the quoted message: a From line, followed within `within` lines by a
 * Sent/Date line and a Subject line (English, German and French Outlook; `*From:*` from mobile).
 */
export const OUTLOOK_BLOCK = {
  from: /^\*?(From|Von|De) ?:\*? \S/,
  then: [/^\*?(Sent|Date|Gesendet|Datum|Envoyé|Date) ?:\*? \S/, /^\*?(Subject|Betreff|Objet) ?:\*?( |$)/],
  within: 6,
} as const;

/** Lines right above a history start that belong to it: the separator Outlook Web puts above its block. */
export const LEAD_IN_LINES: readonly RegExp[] = [/^_{20,}$/];

/** A quoted line. */
export const QUOTED_LINE = /^[ \t]*>/;

/** Largest comment body in characters (SPEC §4). */
export const MAX_BODY_CHARS = 131072;

export function extractReply(text: string): ReplyText {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const whole = trimBlankLines(lines).join('\n');
  const { cut, byAttribution } = historyStart(lines);
  let kept = trimBlankLines(withoutQuotes(lines.slice(0, cut)));
  if (kept.length === 0 && byAttribution) {
    // Bottom posting: attribution and quote on top, the answer below; keep what is not quoted.
    const unquoted: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const attribution = attributionLength(lines, i);
      if (attribution > 0) i += attribution - 1;
      else if (!isHistoryLine(lines[i] ?? '')) unquoted.push(lines[i] ?? '');
    }
    kept = trimBlankLines(withoutQuotes(unquoted));
  }
  const body = kept.join('\n');
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

/** Index of the first line of quoted history (lines.length when there is none), and what starts it. */
function historyStart(lines: readonly string[]): { cut: number; byAttribution: boolean } {
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (QUOTED_LINE.test(line)) continue;
    if (isHistoryLine(line) || isOutlookBlockAt(lines, i)) return { cut: withLeadIn(lines, i), byAttribution: false };
    if (attributionLength(lines, i) > 0) return { cut: i, byAttribution: true };
  }
  return { cut: lines.length, byAttribution: false };
}

/**
 * Moves a cut up over blank lines to a separator right above it. (An attribution above a cut needs
 * no care here: the scan from the top finds it first.)
 */
function withLeadIn(lines: readonly string[], cut: number): number {
  let i = cut - 1;
  while (i >= 0 && (lines[i] ?? '').trim() === '') i--;
  if (i < 0) return cut;
  const line = (lines[i] ?? '').trim();
  return LEAD_IN_LINES.some((p) => p.test(line)) ? i : cut;
}

function isHistoryLine(line: string): boolean {
  const trimmed = line.trim();
  return !QUOTED_LINE.test(trimmed) && HISTORY_LINES.some((h) => h.pattern.test(trimmed));
}

/** Lines taken by an attribution starting on line i: 1, 2 when wrapped onto the next line, or 0. */
function attributionLength(lines: readonly string[], i: number): 0 | 1 | 2 {
  const line = (lines[i] ?? '').trim();
  if (line === '' || QUOTED_LINE.test(line)) return 0;
  if (ATTRIBUTIONS.some((a) => a.pattern.test(line))) return 1;
  const next = (lines[i + 1] ?? '').trim();
  if (next === '' || QUOTED_LINE.test(next)) return 0;
  return ATTRIBUTIONS.some((a) => a.pattern.test(`${line} ${next}`)) ? 2 : 0;
}

function isOutlookBlockAt(lines: readonly string[], i: number): boolean {
  if (!OUTLOOK_BLOCK.from.test((lines[i] ?? '').trim())) return false;
  const following = lines.slice(i + 1, i + 1 + OUTLOOK_BLOCK.within).map((l) => l.trim());
  return OUTLOOK_BLOCK.then.every((p) => following.some((l) => p.test(l)));
}

/** Drops `>` lines; a blank line left on both sides of a dropped run is kept once. */
function withoutQuotes(lines: readonly string[]): string[] {
  const out: string[] = [];
  let dropped = false;
  for (const line of lines) {
    if (QUOTED_LINE.test(line)) {
      dropped = true;
      continue;
    }
    const blank = line.trim() === '';
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
  return lines.slice(start, end).map((l) => l.replace(/[ \t]+$/, ''));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
