// Summarises a V8 CPU profile (`node --cpu-prof`, e.g. from `npm run bench -- --profile DIR`):
//   node dist/bench/profile.js FILE.cpuprofile [--top 25] [--filter dist/src/] [--areas]
// prints the functions with the most self time and the most total (inclusive) time, in % of the
// profile's samples (idle included, so that "how busy was the server" reads off the same table).
// --areas: each sample once, to the part of the ingest path nearest its leaf (SQLite, mailparser,
// mailauth, smtp-server, the stages…): where one thread's time per message goes.
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function label(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const file = url ? path.relative(process.cwd(), url.replace(/^file:\/\//, '')) : '';
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

export function summarise(profile: Profile, top: number, filter?: string): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfTime.values()].reduce((a, b) => a + b, 0);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, t] of selfTime) {
    const node = byId.get(id);
    if (!node) continue;
    self.set(label(node), (self.get(label(node)) ?? 0) + t);
    // each function counts once per sample, however deep the recursion
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur) as ProfileNode);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + t);
    }
  }
  const pct = (t: number) => `${((t / total) * 100).toFixed(1).padStart(5)}%`;
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .filter(([l]) => !filter || l.includes(filter))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([l, t]) => `  ${pct(t)}  ${l}`);
  return [
    `profile: ${(total / 1e6).toFixed(1)} s of samples`,
    'self time:',
    ...rank(self),
    'total time (function and what it calls):',
    ...rank(inclusive),
  ];
}

/** The parts of the ingest path, nearest the leaf first: a sample counts for the first that matches up its stack. */
const AREAS: readonly [string, RegExp][] = [
  ['SQLite (statements, BEGIN/COMMIT with its fsync)', /db\/engines\/sqlite/],
  ['mailauth (SPF, DKIM, DMARC, ARC)', /node_modules\/mailauth\//],
  ['src/ingest/auth.ts', /src\/ingest\/auth\./],
  ['mailparser, mailsplit, libmime', /node_modules\/(mailparser|@zone-eu\/mailsplit|libmime|libqp|libbase64)\//],
  ['src/ingest/parse.ts', /src\/ingest\/parse\./],
  ['stages, facts, apply, domain, cases', /src\/(ingest|domain|cases)\//],
  ['smtp-server', /node_modules\/smtp-server\//],
  ['module loading', /internal\/modules\//],
];

export function areas(profile: Profile): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const times = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const t = profile.timeDeltas[i] ?? 0;
    total += t;
    const leaf = byId.get(id)?.callFrame.functionName ?? '';
    let area = leaf === '(idle)' || leaf === '(garbage collector)' || leaf === '(program)' ? leaf : null;
    for (let cur: number | undefined = id; area === null && cur !== undefined; cur = parent.get(cur)) {
      const url = byId.get(cur)?.callFrame.url ?? '';
      area = AREAS.find(([, re]) => re.test(url))?.[0] ?? null;
    }
    area ??= 'other (Node streams, sockets, timers)';
    times.set(area, (times.get(area) ?? 0) + t);
  });
  return [
    `profile: ${(total / 1e6).toFixed(1)} s of samples, by area:`,
    ...[...times.entries()].sort((a, b) => b[1] - a[1]).map(([a, t]) => `  ${((t / total) * 100).toFixed(1).padStart(5)}%  ${(t / 1e6).toFixed(2).padStart(6)} s  ${a}`),
  ];
}

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node dist/bench/profile.js FILE.cpuprofile [--top N] [--filter TEXT] [--areas]');
  const at = (name: string) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  if (process.argv.includes('--areas')) console.log(areas(profile).join('\n'));
  else console.log(summarise(profile, Number(at('--top') ?? 25), at('--filter')).join('\n'));
}

main();
