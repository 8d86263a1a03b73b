// The shell examples of the docs as transcripts: a fenced block with the language `console` holds
// commands (a line starting with `$ `; a trailing `\` continues it on the next line, a here-document
// `<<EOF` takes the lines up to `EOF`) and, after each, its expected output (stdout and stderr as a
// user sees them, `(exit N)` for a non-zero exit) up to the next `$ ` line. A line `...` in the
// expected output matches any number of lines. Output is compared after masking what changes from
// run to run (times, dates, durations, tokens, keys, temp paths, free ports), on both sides alike.
// Pure: reading a page and comparing text; test/docs/runPage.ts runs the commands.

export interface Step {
  /** The command as bash gets it (continuation lines and a here-document included). */
  command: string;
  /** Expected output lines, without trailing blank lines. */
  expected: string[];
  /** 1-based line of the `$ ` line in the page. */
  line: number;
  /** 1-based line of the first expected line in the page. */
  outputLine: number;
  /** Ends with `&`: started in the background, left running until the end of the page. */
  background: boolean;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*(\S*)/;
const HEREDOC = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/;

/** Every command of every `console` block of a page, in order. */
export function parseTranscript(page: string): Step[] {
  const lines = page.split('\n');
  const steps: Step[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = FENCE.exec(lines[i]!);
    i++;
    if (!open) continue;
    const fence = open[2]!;
    // A block inside a list item is indented as its fence is: that indentation is not part of the text.
    const indent = open[1]!.length;
    const body: { text: string; line: number }[] = [];
    while (i < lines.length && !lines[i]!.trimStart().startsWith(fence)) {
      const text = lines[i]!;
      body.push({ text: text.slice(Math.min(indent, text.length - text.trimStart().length)), line: i + 1 });
      i++;
    }
    i++; // the closing fence
    if (open[3] === 'console') steps.push(...parseBlock(body));
  }
  return steps;
}

function parseBlock(body: { text: string; line: number }[]): Step[] {
  const steps: Step[] = [];
  let j = 0;
  while (j < body.length) {
    const first = body[j]!;
    if (!first.text.startsWith('$ ')) {
      if (first.text.trim() !== '') throw new Error(`line ${first.line}: output before any command in a console block: ${first.text}`);
      j++;
      continue;
    }
    let command = first.text.slice(2);
    j++;
    while (command.endsWith('\\') && j < body.length) command += `\n${body[j++]!.text}`;
    const heredoc = HEREDOC.exec(command);
    if (heredoc) {
      const end = heredoc[2]!;
      while (j < body.length) {
        const text = body[j++]!.text;
        command += `\n${text}`;
        if (text.trim() === end) break;
      }
    }
    const outputLine = body[j]?.line ?? body[j - 1]!.line + 1;
    const expected: string[] = [];
    while (j < body.length && !body[j]!.text.startsWith('$ ')) expected.push(body[j++]!.text);
    const background = /&\s*$/.test(command) && !/&&\s*$/.test(command);
    steps.push({ command: background ? command.replace(/&\s*$/, '').trimEnd() : command, expected: trimLines(expected), line: first.line, outputLine, background });
  }
  return steps;
}

/** Lines without trailing spaces, and without blank lines at the end. */
export function trimLines(lines: string[]): string[] {
  const out = lines.map((l) => l.trimEnd());
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

/** What changes from run to run, replaced by a name; applied to expected and actual output alike. */
const MASKS: [RegExp, string][] = [
  [/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})/g, '<TIME>'],
  [/\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}\b/g, '<TIME>'],
  [/\b\d{4}-\d{2}-\d{2}\b/g, '<DATE>'],
  [/\b\d+(?:\.\d+)?\s?(?:ms|s)\b/g, '<DURATION>'],
  // reply and bounce addresses, the thread root and Message-IDs of notifications
  [/\b(case|bounce)\+[a-z0-9]{16,64}@/g, '$1+<TOKEN>@'],
  [/<[A-Za-z0-9._+-]{8,128}@/g, '<<ID>@'],
  [/\bcgk_[A-Za-z0-9_-]{4,64}/g, 'cgk_<KEY>'],
  // .eml files are named after their notification's token; help portal links carry one
  [/\b[A-Za-z0-9_-]{16,64}\.eml\b/g, '<ID>.eml'],
  [/\/(help\/(?:s|unsubscribe))\/[A-Za-z0-9_.-]{16,256}/g, '/$1/<TOKEN>'],
  [/(\/tmp|\/var\/tmp)\/[A-Za-z0-9._-]+/g, '$1/<TMP>'],
  [/\bsha256 [0-9a-f]{16}/g, 'sha256 <HASH>'],
  // a copy of the whole database: its size follows the schema (each migration), not the page
  [/^(backup written: \S+) \(\d+ bytes\)$/gm, '$1 (<SIZE> bytes)'],
  // free ports a command picked (the ephemeral range); the fixed ports of the docs stay compared
  [/:(?:3[2-9]\d{3}|[4-6]\d{4})\b/g, ':<PORT>'],
];

export function mask(line: string): string {
  let out = line;
  for (const [pattern, name] of MASKS) out = out.replace(pattern, name);
  return out;
}

export interface Mismatch {
  /** Index in `expected` of the first line that does not match (or expected.length when output is missing). */
  expectedIndex: number;
  /** Index in `actual` of the line that did not match (or actual.length when output ended early). */
  actualIndex: number;
}

/**
 * Compares after masking; `...` in expected matches any number of actual lines. Null when they
 * match, else where they part (the furthest point either could be followed to).
 */
export function compareOutput(expected: string[], actual: string[]): Mismatch | null {
  const e = trimLines(expected).map(mask);
  const a = trimLines(actual).map(mask);
  // matchFrom[i][j]: e[i..] matches a[j..]; filled from the end (sizes are a few hundred lines at most).
  const ok: boolean[][] = Array.from({ length: e.length + 1 }, () => new Array<boolean>(a.length + 1).fill(false));
  ok[e.length]![a.length] = true;
  for (let i = e.length - 1; i >= 0; i--) {
    for (let j = a.length; j >= 0; j--) {
      ok[i]![j] = e[i] === '...' ? ok[i + 1]![j]! || (j < a.length && ok[i]![j + 1]!) : j < a.length && e[i] === a[j] && ok[i + 1]![j + 1]!;
    }
  }
  if (ok[0]![0]) return null;
  // Where they part: follow equal lines (a `...` skips to the next expected line found).
  let i = 0;
  let j = 0;
  while (i < e.length && j < a.length) {
    if (e[i] === '...') {
      const next = e[i + 1];
      if (next === undefined) return null;
      const k = a.indexOf(next, j);
      if (k < 0) return { expectedIndex: i + 1, actualIndex: j };
      i++;
      j = k;
    } else if (e[i] === a[j]) {
      i++;
      j++;
    } else break;
  }
  return { expectedIndex: i, actualIndex: j };
}
