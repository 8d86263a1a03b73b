// CPU work per byte, for the worst-case tests (text from outside meets only linear-time code): a
// function's CPU time on its worst input, as a ratio to a linear baseline measured in the same test
// on the same number of characters. process.cpuUsage() counts this process only, and the ratio
// moves little when a loaded machine slows both sides; no wall-clock time is asserted.
import { expect } from 'vitest';

/** CPU milliseconds of `run`: the least of `times` runs. */
export function cpuMs(run: () => unknown, times = 1): number {
  let least = Number.POSITIVE_INFINITY;
  for (let n = 0; n < times; n++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    least = Math.min(least, (used.user + used.system) / 1000);
  }
  return least;
}

/** CPU milliseconds of `run`, awaited: the least of `times` runs. */
async function cpuMsOf(run: () => unknown, times: number): Promise<number> {
  let least = Number.POSITIVE_INFINITY;
  for (let n = 0; n < times; n++) {
    const start = process.cpuUsage();
    await run();
    const used = process.cpuUsage(start);
    least = Math.min(least, (used.user + used.system) / 1000);
  }
  return least;
}

const PROSE = [
  'Hello support, the printer on floor 3 jams in tray 2 whenever we print more than 40 pages.',
  'We replaced the toner (CF237X) on Monday; the error 13.A2.D3 came back on Tuesday at 10:02.',
  'Could someone come by this week? Ann Archer, Acme, room 3.14, phone +44 20 7946 0958.',
  '',
];

/** An ordinary text of `chars` characters: short paragraphs of prose. */
export function prose(chars: number): string {
  const unit = `${PROSE.join('\n')}\n`;
  return unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
}

/** The least any line reader does with `text`: split it into lines and join them again. */
function splitJoin(text: string): number {
  return text.split('\n').join('\n').length;
}

/**
 * The baseline for `input`: splitting it into lines and joining them, or doing the same to an
 * ordinary text of the same length when that costs more (a text of one long line splits for
 * nothing, while the function still reads every character). The least of 5 runs, at least 0.2 ms.
 */
export function baselineMs(input: string): number {
  const ordinary = prose(input.length);
  return Math.max(0.2, cpuMs(() => splitJoin(input), 5), cpuMs(() => splitJoin(ordinary), 5));
}

export interface WorstCase {
  /** What the input is made of, for the failure message. */
  name: string;
  /** The input at about `chars` characters. */
  make(chars: number): string;
}

/**
 * Fails when `run` costs more than `bound` times the baseline on `worst` at `limit` characters.
 * It is first measured at 4 KiB and at each size four times larger up to the limit, against four
 * times the bound (small inputs pay more for compiling and warming up): quadratic code, whose ratio
 * grows with the size, fails there in seconds instead of running for minutes at the limit. Each
 * size is run once before it is measured (the least of two runs).
 */
export async function expectLinear(run: (input: string) => unknown, worst: WorstCase, limit: number, bound: number): Promise<void> {
  const sizes: number[] = [limit];
  while ((sizes[0] as number) / 4 >= 4096) sizes.unshift(Math.ceil((sizes[0] as number) / 4));
  for (const chars of sizes) {
    const most = chars === limit ? bound : bound * 4;
    const input = worst.make(chars);
    await run(input);
    const ms = await cpuMsOf(() => run(input), 2);
    const base = baselineMs(input);
    const ratio = ms / base;
    if (process.env.WORST_REPORT) console.log(`${worst.name}\t${input.length}\t${ms.toFixed(1)} ms\t${base.toFixed(2)} ms\t${ratio.toFixed(1)}`);
    expect(
      ratio,
      `${worst.name}: ${ms.toFixed(1)} ms of CPU for ${input.length} characters, ${ratio.toFixed(1)} times the baseline of ${base.toFixed(2)} ms (bound: ${most})`,
    ).toBeLessThanOrEqual(most);
  }
}

/** `unit` repeated to `chars` characters, then `tail`. */
export function repeat(unit: string, chars: number, tail = ''): string {
  return unit.repeat(Math.max(1, Math.floor((chars - tail.length) / unit.length))) + tail;
}

/** Lines of `line` up to `chars` characters. */
export function lines(line: string, chars: number): string {
  return repeat(`${line}\n`, chars);
}
