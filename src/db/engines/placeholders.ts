// SQL is written once with `?` placeholders; PostgreSQL wants `$1…$n`. The text is ours, but the
// scan is still correct: a `?` inside a string ('it''s?', E'\'?'), a quoted identifier ("a?"), a
// dollar-quoted body ($$?$$, $tag$?$tag$) or a comment (-- ?, /* ? */, nested) is left alone. One pass,
// linear in the length of the text.

export interface Numbered {
  /** The SQL text with `$1…$n` in place of each `?`. */
  readonly text: string;
  /** How many placeholders it has. */
  readonly count: number;
}

const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_$]/.test(c);

/** Where a '…' or "…" starting at `start` ends (just past its closing quote); a doubled quote is a quote. */
function endOfQuoted(sql: string, start: number, quote: string, backslashes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashes && c === '\\') i += 2;
    else if (c === quote && sql[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i += 1;
  }
  return sql.length;
}

/** Where a /* comment *\/ starting at `start` ends; PostgreSQL nests them. */
function endOfBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth += 1;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else i += 1;
  }
  return sql.length;
}

/** The `$tag$` opening a dollar-quoted body at `start`, or undefined (`$1` is a parameter, not a tag). */
function dollarTag(sql: string, start: number): string | undefined {
  if (isWordChar(sql[start - 1])) return undefined;
  let i = start + 1;
  if (/[0-9]/.test(sql[i] ?? '')) return undefined;
  while (i < sql.length && /[A-Za-z0-9_]/.test(sql[i] as string)) i += 1;
  return sql[i] === '$' ? sql.slice(start, i + 1) : undefined;
}

/** Numbers the `?` placeholders of `sql` as `$1…$n`. */
export function numberPlaceholders(sql: string): Numbered {
  const parts: string[] = [];
  let count = 0;
  let from = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] as string;
    if (c === '?') {
      count += 1;
      parts.push(sql.slice(from, i), `$${count}`);
      i += 1;
      from = i;
    } else if (c === "'") {
      const escaped = (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !isWordChar(sql[i - 2]);
      i = endOfQuoted(sql, i, "'", escaped);
    } else if (c === '"') {
      i = endOfQuoted(sql, i, '"', false);
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
    } else if (c === '/' && sql[i + 1] === '*') {
      i = endOfBlockComment(sql, i);
    } else if (c === '$') {
      const tag = dollarTag(sql, i);
      if (tag === undefined) i += 1;
      else {
        const end = sql.indexOf(tag, i + tag.length);
        i = end < 0 ? sql.length : end + tag.length;
      }
    } else i += 1;
  }
  parts.push(sql.slice(from));
  return { text: parts.join(''), count };
}

const cache = new Map<string, Numbered>();
const CACHE_LIMIT = 1000;

/** numberPlaceholders, remembered per SQL text (the texts are ours, so few; the cache is still bounded). */
export function numbered(sql: string): Numbered {
  let hit = cache.get(sql);
  if (hit === undefined) {
    hit = numberPlaceholders(sql);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(sql, hit);
  }
  return hit;
}
