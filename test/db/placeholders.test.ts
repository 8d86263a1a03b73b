// `?` placeholders become `$1…$n` for PostgreSQL, except where a `?` is not a placeholder at all.
import { describe, expect, it } from 'vitest';
import { numberPlaceholders } from '../../src/db/engines/placeholders.js';

describe('numbering ? placeholders for PostgreSQL', () => {
  it('numbers them in order of appearance', () => {
    expect(numberPlaceholders('SELECT * FROM cases WHERE id = ? AND status IN (?, ?)')).toEqual({
      text: 'SELECT * FROM cases WHERE id = $1 AND status IN ($2, $3)',
      count: 3,
    });
  });

  it('leaves SQL without placeholders as it is', () => {
    expect(numberPlaceholders('SELECT count(*) FROM outbox')).toEqual({ text: 'SELECT count(*) FROM outbox', count: 0 });
  });

  it.each([
    ['a string literal, doubled quotes included', "SELECT 'why?', 'it''s ?', ?", "SELECT 'why?', 'it''s ?', $1"],
    ['a quoted identifier', 'SELECT "odd?name", "a""?" FROM t WHERE x = ?', 'SELECT "odd?name", "a""?" FROM t WHERE x = $1'],
    ['an escape string with a backslash-quote', "SELECT E'it\\'s ?', ?", "SELECT E'it\\'s ?', $1"],
    ['a line comment', 'SELECT 1 -- what?\n, ?', 'SELECT 1 -- what?\n, $1'],
    ['a nested block comment', 'SELECT /* a? /* b? */ c? */ ?', 'SELECT /* a? /* b? */ c? */ $1'],
    ['a dollar-quoted body', 'SELECT $$ ? $$, $fn$ ?$$? $fn$, ?', 'SELECT $$ ? $$, $fn$ ?$$? $fn$, $1'],
  ])('skips a ? inside %s', (_what, sql, text) => {
    expect(numberPlaceholders(sql)).toEqual({ text, count: 1 });
  });

  it('does not take an identifier with $ in it for a dollar quote', () => {
    expect(numberPlaceholders('SELECT a$b$ FROM t WHERE x = ? AND y$ = ?').text).toBe('SELECT a$b$ FROM t WHERE x = $1 AND y$ = $2');
  });

  it('treats E only as the prefix of an escape string when it stands alone', () => {
    // `name'…'` is not E'…': the backslash is an ordinary character there.
    expect(numberPlaceholders("SELECT typE'\\', ?").text).toBe("SELECT typE'\\', $1");
  });

  it('stays linear on long input: an unclosed quote, many comments, many placeholders', () => {
    const unclosed = "SELECT '" + '?'.repeat(200_000);
    expect(numberPlaceholders(unclosed).count).toBe(0);
    const many = 'SELECT ' + '?, /* ? */ '.repeat(50_000) + '1';
    const started = process.cpuUsage();
    expect(numberPlaceholders(many).count).toBe(50_000);
    const used = process.cpuUsage(started);
    // About 1 MB of SQL: a generous bound of 2 µs of CPU per byte.
    expect((used.user + used.system) / 1000).toBeLessThan(2 * many.length / 1000);
  });
});
