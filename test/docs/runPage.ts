// Runs the transcript of one page (test/docs/transcript.ts) as a user at a shell would: in a fresh
// temporary folder, one bash per command, with `casegate` on the PATH (the built binary), the
// page's own exports and `cd`s carried from one command to the next, and no CASEGATE_* setting but
// those the page makes (and sender authentication off, so that no example asks the machine's
// resolver). The folder's path in the output reads `/srv/casegate`. A command ending in `&` runs in the background in a process group of its own: its
// output is compared once it has printed what the page shows (within 15 s), and the group is
// stopped (SIGTERM, then SIGKILL) when the page ends.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/tempDir.js';
import { compareOutput, mask, parseTranscript, trimLines, type Step } from './transcript.js';

export interface PageResult {
  /** One report per mismatch: page, line, command, expected and actual. Empty when the page is right. */
  failures: string[];
  /** Commands run. */
  steps: number;
  /** What each command printed (with `(exit N)`), in order. */
  outputs: string[][];
}

export interface PageOptions {
  /** The folder `casegate` is found in (a link to the built binary is made there by the caller). */
  binDir: string;
  /** Name of the page in reports, e.g. `docs/postfix.md`. */
  name: string;
  /** Longest a foreground command may take. */
  timeoutMs?: number;
}

const BACKGROUND_WAIT_MS = 15_000;
/** How the page's folder is shown in output (a page that prints absolute paths says it runs there). */
export const PAGE_FOLDER = '/srv/casegate';

/** Runs every `console` step of `page` in order; stops at the first mismatch (later steps build on it). */
export async function runPage(page: string, opts: PageOptions): Promise<PageResult> {
  const steps = parseTranscript(page);
  const { dir, cleanup } = tempDir('docs');
  const work = path.join(dir, 'work');
  fs.mkdirSync(work);
  const state = path.join(dir, 'state.sh');
  fs.writeFileSync(state, `cd ${shellQuote(work)}\n`);
  const env = pageEnv(opts.binDir, work);
  const background: ChildProcess[] = [];
  const failures: string[] = [];
  const outputs: string[][] = [];
  let ran = 0;
  try {
    for (const step of steps) {
      ran++;
      const actual = step.background
        ? await runBackground(step, state, env, background)
        : await runForeground(step, state, env, opts.timeoutMs ?? 30_000);
      for (let k = 0; k < actual.length; k++) actual[k] = actual[k]!.replaceAll(work, PAGE_FOLDER);
      outputs.push(actual);
      const mismatch = compareOutput(step.expected, actual);
      if (mismatch) {
        failures.push(report(opts.name, step, actual, mismatch));
        break;
      }
    }
  } finally {
    await stopAll(background);
    cleanup();
  }
  return { failures, steps: ran, outputs };
}

function pageEnv(binDir: string, home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('CASEGATE_') || k.startsWith('VITEST') || k === 'NODE_ENV' || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return { ...env, PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: home, CASEGATE_SENDER_AUTH: 'off', LC_ALL: 'C.UTF-8', COLUMNS: '100' };
}

/** The command in a bash that starts where the last one left (its exports and folder) and saves them after. */
function script(step: Step, state: string, save: boolean): string {
  const lines = ['exec 2>&1', '__base=" $(compgen -v | tr \'\\n\' \' \') "', `. ${shellQuote(state)}`, step.command];
  // Exports, and the shell variables the page set (`KEY=$(...)`), as the next command's bash must see them.
  const vars = 'for __v in $(compgen -v); do case "$__base" in *" $__v "*) ;; *) declare -p "$__v";; esac; done';
  if (save) lines.push('__rc=$?', `{ export -p; ${vars}; echo "cd $(printf %q "$PWD")"; } > ${shellQuote(state)}`, 'exit $__rc');
  return `${lines.join('\n')}\n`;
}

function runForeground(step: Step, state: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script(step, state, true)], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      out += `\n(killed after ${timeoutMs} ms)`;
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = out.replace(/\n$/, '').split('\n');
      if (out === '') lines.length = 0;
      if (code !== 0) lines.push(`(exit ${code ?? 'killed'})`);
      resolve(lines);
    });
  });
}

/** Starts the command in a group of its own; resolves with its output once that matches the page (or at the deadline). */
function runBackground(step: Step, state: string, env: NodeJS.ProcessEnv, started: ChildProcess[]): Promise<string[]> {
  const child = spawn('bash', ['-c', script(step, state, false)], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  started.push(child);
  let out = '';
  const lines = (): string[] => (out === '' ? [] : trimLines(out.split('\n')));
  return new Promise((resolve) => {
    const done = (): void => {
      clearInterval(poll);
      clearTimeout(deadline);
      resolve(lines());
    };
    const check = (): void => {
      // Only whole lines count, so a line is never compared half-written.
      const whole = out.endsWith('\n') ? lines() : lines().slice(0, -1);
      if (compareOutput(step.expected, whole) === null) done();
    };
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('close', (code) => {
      if (code !== 0) out += `(exit ${code ?? 'killed'})\n`;
      done();
    });
    const poll = setInterval(check, 50);
    const deadline = setTimeout(done, BACKGROUND_WAIT_MS);
    check();
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            killGroup(child, 'SIGTERM');
            resolve();
            return;
          }
          const hard = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
          child.on('close', () => {
            clearTimeout(hard);
            resolve();
          });
          killGroup(child, 'SIGTERM');
        }),
    ),
  );
}

function report(page: string, step: Step, actual: string[], where: { expectedIndex: number; actualIndex: number }): string {
  const number = (lines: string[], mark: number): string =>
    lines.length === 0 ? '    (nothing)' : lines.map((l, k) => `${k === mark ? '>>' : '  '}  ${l}`).join('\n');
  return [
    `${page}:${step.outputLine + where.expectedIndex}: the output of a command differs from the page`,
    `command (line ${step.line}): $ ${step.command}${step.background ? ' &' : ''}`,
    `first difference: expected line ${where.expectedIndex + 1}, actual line ${where.actualIndex + 1} (>>), compared after masking:`,
    `expected ${JSON.stringify(mask(step.expected[where.expectedIndex] ?? '(end of output)'))}`,
    `actual   ${JSON.stringify(mask(actual[where.actualIndex] ?? '(end of output)'))}`,
    'expected:',
    number(step.expected, where.expectedIndex),
    'actual:',
    number(actual, where.actualIndex),
  ].join('\n');
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
