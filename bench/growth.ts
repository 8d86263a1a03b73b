// Row 5: ingest throughput (20 sessions, 4 KiB replies to 1,000 hot cases) on a database of 1,000
// cases against one of 100,000 cases with 1M comments (each with its inbound log row and an outbox
// row). Also the query plans of the hot path, taken from the statements the server really prepared.
import fs from 'node:fs';
import path from 'node:path';
import { startServerChild, type ServerChild } from './child.js';
import { combine, describeIngest, measureIngest, refusalNote, type IngestFigures } from './ingest.js';
import type { ReplyTarget } from './mail.js';
import { seedDatabase, type SeedOptions } from './seed.js';
import { ratio } from './stats.js';
import type { PlannedStatement } from './server.js';
import type { BenchContext, Row } from './table.js';

/**
 * The hot-path queries the table names, found among the prepared statements by their SQL, and the
 * search their plan must show: an index on a column that narrows the rows to a handful. An index
 * on a column with few values (inbound.decision) is a search in name only.
 */
const HOT_PATH: { name: string; match: RegExp; search: RegExp }[] = [
  { name: 'case by address token', match: /from "?cases"? where "?(cases"?\.)?"?address_token"? = \?/i, search: /\(address_token=\?\)/ },
  { name: 'participants: collaborators', match: /from "?collaborators"? where "?(collaborators"?\.)?"?case_id"? = \?/i, search: /\(case_id=\?/ },
  { name: 'participants: contact', match: /from "?contacts"? where "?(contacts"?\.)?"?id"? = \?/i, search: /\(rowid=\?\)/ },
  { name: 'duplicate fingerprint', match: /from "?inbound"? where .*fingerprint"? = \?/i, search: /\((case_id=\? AND )?fingerprint=\?/ },
  { name: 'loop key count', match: /from "?inbound"? where .*loop_key"? (= \?|IN \()/i, search: /\(loop_key=\?/ },
  { name: 'outbox insert: bounce check', match: /from "?bounces"? where/i, search: /\(address_lower=\?\)/ },
  { name: 'outbox insert', match: /insert into "?outbox"?/i, search: /^$/ },
];

/** A plan line that reads a whole table instead of searching an index. */
function isScan(detail: string): boolean {
  return /^SCAN /.test(detail) && !/USING (COVERING )?INDEX|CONSTANT ROW/.test(detail);
}

function describePlans(plans: PlannedStatement[]): { lines: string[]; ok: number; total: number } {
  const lines: string[] = [];
  let ok = 0;
  let total = 0;
  for (const q of HOT_PATH) {
    const found = plans.filter((p) => q.match.test(p.sql));
    if (found.length === 0) {
      total++;
      lines.push(`${q.name}: NOT SEEN (the server did not prepare such a statement)`);
    }
    for (const p of found) {
      total++;
      const good =
        p.plan.length === 0 ? q.search.test('') : p.plan.some((d) => d.startsWith('SEARCH') && q.search.test(d)) && !p.plan.some(isScan);
      if (good) ok++;
      lines.push(`${q.name}${good ? '' : '  <-- does not search by its selective column'}`, `    ${p.sql}`);
      for (const d of p.plan.length > 0 ? p.plan : ["(no read: a plain insert, maintains the table's indexes)"]) lines.push(`      ${d}`);
    }
  }
  const others = plans.filter((p) => p.plan.some(isScan) && !HOT_PATH.some((q) => q.match.test(p.sql)));
  for (const p of others) lines.push('other statement with a table scan:', `    ${p.sql}`, ...p.plan.map((d) => `      ${d}`));
  return { lines, ok, total };
}

interface Subject {
  name: string;
  server: ServerChild;
  hot: ReplyTarget[];
  runs: IngestFigures[];
}

async function prepare(ctx: BenchContext, name: string, seed: SeedOptions, explain?: string): Promise<Subject> {
  const db = path.join(ctx.dir, `${name}.db`);
  const seeded = await seedDatabase(db, seed);
  ctx.notes.push(
    `row 5: seeded ${name} in ${(seeded.ms / 1000).toFixed(1)} s: ` +
      Object.entries(seeded.rows).map(([k, v]) => `${v.toLocaleString('en')} ${k}`).join(', '),
  );
  const server = await startServerChild('casegate', { db, ...(explain ? { explain } : {}), ...ctx.profile(`growth-${name}`) });
  return { name, server, hot: seeded.hot, runs: [] };
}

export async function benchGrowth(ctx: BenchContext): Promise<Row[]> {
  const bigCases = ctx.smoke ? 2_000 : 100_000;
  const explainFile = path.join(ctx.dir, 'plans.json');
  const sessions = ctx.smoke ? 4 : 20;
  // 1,000 hot cases in both, 10 earlier comments per case
  const subjects: Subject[] = [];
  try {
    // Both record their statements (--explain), so that both carry its cost; the big one's plans are read.
    subjects.push(await prepare(ctx, 'small', { cases: 1_000, hotEvery: 1, commentsPerCase: 10 }, path.join(ctx.dir, 'plans-small.json')));
    subjects.push(await prepare(ctx, 'big', { cases: bigCases, hotEvery: bigCases / 1_000, commentsPerCase: 10 }, explainFile));
    // 2,000 messages of warm-up each (as row 2): V8 optimizes the hot code and SQLite's cache fills for
    // about that long, and a gateway that has run for a while is past both.
    for (const s of subjects) await measureIngest(s.server.port, s.hot, { sessions, perSession: ctx.smoke ? 1 : 100, maxMs: 10_000 });
    // Short runs taking turns, so that a slow spell of the machine (its disk's fsync) hits both.
    for (let round = 0; round < (ctx.smoke ? 1 : 3); round++) {
      for (const s of subjects) {
        s.runs.push(await measureIngest(s.server.port, s.hot, { sessions, perSession: ctx.smoke ? 3 : 500, maxMs: 4_000 }));
      }
    }
  } finally {
    for (const s of subjects) await s.server.stop();
  }
  const [small, big] = subjects.map((s) => combine(s.runs)) as [IngestFigures, IngestFigures];
  ctx.notes.push(...refusalNote('row 5, 1,000 cases', small), ...refusalNote('row 5, big database', big));

  const plans = describePlans(JSON.parse(fs.readFileSync(explainFile, 'utf8')) as PlannedStatement[]);
  ctx.sections.push({ title: `Query plans of the hot path (row 5, ${bigCases.toLocaleString('en')} cases)`, lines: plans.lines });
  return [
    {
      id: '5a',
      name: `ingest, ${bigCases.toLocaleString('en')} cases / ${(bigCases * 10).toLocaleString('en')} comments vs 1,000 cases`,
      casegate: describeIngest(big),
      baseline: describeIngest(small),
      ratio: ratio(big.msgsPerSec, small.msgsPerSec),
      target: { min: 0.9 },
    },
    {
      id: '5b',
      name: 'hot-path queries searching an index',
      casegate: `${plans.ok} of ${plans.total} statements`,
      baseline: '-',
      ratio: plans.ok / plans.total,
      target: { min: 1, label: 'all' },
    },
  ];
}
