// The docs runner itself: what a transcript is, what the masks forgive, and that a page whose
// output differs fails with the page, line, command, expected and actual.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runPage } from './runPage.js';
import { compareOutput, parseTranscript } from './transcript.js';

const page = (...lines: string[]): string => ['# A page', '', '```console', ...lines, '```', ''].join('\n');

describe('reading a transcript', () => {
  it('takes commands from console blocks only, with continuations, here-documents and background commands', () => {
    const text = [
      '```sh',
      '$ not run',
      '```',
      '```console',
      '$ printf "%s\\n" a \\',
      '    b',
      'a',
      'b',
      '',
      "$ cat > t.txt <<'EOF'",
      'hello',
      'EOF',
      '$ sleep 9 &',
      '$ true && false',
      '(exit 1)',
      '```',
    ].join('\n');
    expect(parseTranscript(text)).toEqual([
      { command: 'printf "%s\\n" a \\\n    b', expected: ['a', 'b'], line: 5, outputLine: 7, background: false },
      { command: "cat > t.txt <<'EOF'\nhello\nEOF", expected: [], line: 10, outputLine: 13, background: false },
      { command: 'sleep 9', expected: [], line: 13, outputLine: 14, background: true },
      { command: 'true && false', expected: ['(exit 1)'], line: 14, outputLine: 15, background: false },
    ]);
  });
});

describe('comparing output', () => {
  it('masks times, reply tokens, keys, temp paths and free ports on both sides', () => {
    expect(compareOutput(
      ['created 2026-11-25T20:59:19.852Z case+380l1ujpkgvzdappi0lt2bwp@cases.localhost cgk_AAAAAAAAAAAA /tmp/casegate-x-1 127.0.0.1:36023'],
      ['created 2026-12-06T02:30:53.771Z case+zzzzzzzzzzzzzzzzzzzzzzzz@cases.localhost cgk_BBBBBBBBBBBB /tmp/casegate-y-2 127.0.0.1:41111'],
    )).toBeNull();
  });

  it('compares the fixed ports and everything else as written', () => {
    expect(compareOutput(['listening on 127.0.0.1:2525'], ['listening on 127.0.0.1:2526'])).toEqual({ expectedIndex: 0, actualIndex: 0 });
  });

  it('lets a line "..." stand for any number of lines, none included', () => {
    expect(compareOutput(['a', '...', 'z'], ['a', 'b', 'c', 'z'])).toBeNull();
    expect(compareOutput(['a', '...', 'z'], ['a', 'z'])).toBeNull();
    expect(compareOutput(['a', '...'], ['a', 'b'])).toBeNull();
    expect(compareOutput(['a', '...', 'z'], ['a', 'b', 'y'])).not.toBeNull();
  });

  it('finds missing and extra lines', () => {
    expect(compareOutput(['a', 'b'], ['a'])).toEqual({ expectedIndex: 1, actualIndex: 1 });
    expect(compareOutput(['a'], ['a', 'b'])).toEqual({ expectedIndex: 1, actualIndex: 1 });
  });
});

describe('running a page', () => {
  it('passes a page whose output is as shown, carrying exports and folders between commands', async () => {
    const result = await runPage(page('$ export GREETING=hello', '$ mkdir sub && cd sub', '$ NAME=$(basename "$PWD")', '$ echo "$GREETING from $NAME"', 'hello from sub', '$ exit 3', '(exit 3)'), { binDir: '/nonexistent', name: 'ok.md' });
    expect(result).toMatchObject({ failures: [], steps: 5 });
  });

  it('fails a page with a wrong expected line, naming page, line, command, expected and actual', async () => {
    const result = await runPage(page('$ echo one; echo two', 'one', 'three', '$ echo never run'), { binDir: '/nonexistent', name: 'wrong.md' });
    expect(result.steps).toBe(1);
    expect(result.failures).toHaveLength(1);
    const failure = result.failures[0]!;
    expect(failure).toContain('wrong.md:6: the output of a command differs from the page');
    expect(failure).toContain('command (line 4): $ echo one; echo two');
    expect(failure).toContain('expected "three"');
    expect(failure).toContain('actual   "two"');
  });

  it('waits for a background command to print what the page shows, and stops it at the end of the page', async () => {
    const result = await runPage(page('$ (echo ready; exec sleep 60.4242) &', 'ready', '$ echo after', 'after'), { binDir: '/nonexistent', name: 'bg.md' });
    expect(result).toMatchObject({ failures: [], steps: 2 });
    expect(running('sleep\u000060.4242')).toBe(false);
  });
});

/** Whether a process has `text` in its command line (arguments separated by NUL). */
function running(text: string): boolean {
  return fs.readdirSync('/proc').some((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
    } catch {
      return false;
    }
  });
}
