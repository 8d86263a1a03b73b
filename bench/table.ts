// The one table every benchmark row goes into, and what each benchmark gets to run in.

export interface Target {
  /** The ratio casegate/baseline must be at least this… */
  min?: number;
  /** …or at most this (for costs: memory, latency). */
  max?: number;
  /** How the target reads in the table when it is not a plain ratio. */
  label?: string;
}

export interface Row {
  id: string;
  name: string;
  casegate: string;
  baseline: string;
  /** casegate / baseline, or whatever the target compares; NaN when there is none. */
  ratio: number;
  target: Target | null;
  /** Overrides the verdict, e.g. "not installed". */
  verdict?: string;
}

export interface BenchContext {
  /** Throwaway folder for databases and files of this run. */
  dir: string;
  smoke: boolean;
  /** Options that make a casegate server child write a CPU profile, when profiling was asked for. */
  profile(name: string): { cpuProfDir?: string };
  /** How many times the rows that report a distribution (4a) run, each on a fresh server child (`--runs N`). */
  runs: number;
  /** Lines printed under the table. */
  notes: string[];
  /** Longer output printed after the notes, e.g. query plans. */
  sections: { title: string; lines: string[] }[];
}

export function verdictOf(row: Row): string {
  if (row.verdict) return row.verdict;
  if (row.target === null) return '-';
  if (!Number.isFinite(row.ratio)) return 'n/a';
  const { min, max } = row.target;
  const ok = (min === undefined || row.ratio >= min) && (max === undefined || row.ratio <= max);
  return ok ? 'met' : 'MISSED';
}

function targetText(t: Target | null): string {
  if (t === null) return '-';
  if (t.label) return t.label;
  return [t.min !== undefined ? `>= ${t.min}` : '', t.max !== undefined ? `<= ${t.max}` : ''].filter(Boolean).join(' ');
}

function ratioText(r: number): string {
  return Number.isFinite(r) ? r.toFixed(2) : '-';
}

/** A Markdown table, so that it pastes into bench/README.md as it is. */
export function formatTable(rows: readonly Row[]): string {
  const header = ['#', 'benchmark', 'casegate', 'baseline', 'ratio', 'target', 'verdict'];
  const cells = rows.map((r) => [r.id, r.name, r.casegate, r.baseline, ratioText(r.ratio), targetText(r.target), verdictOf(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
