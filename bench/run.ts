// `npm run bench`: every benchmark, each against a baseline measured in the same run, printed as
// one table. Options:
//   --smoke          tiny counts, a few seconds; checks that every row still runs (not timings)
//   --only 1,3       run only these rows
//   --profile DIR    write a V8 CPU profile of each casegate server child into DIR
//   --runs N         how many times row 4a runs, each on a fresh server child (default 10; smoke 2)
//   --keep           keep the throwaway folder with the databases
//   --sender-auth off  casegate children without sender authentication (default: enforce, through
//                    a loopback DNS server child serving the customers' SPF and DMARC records)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchIngest } from './ingest.js';
import { benchSmtpSource } from './smtpSource.js';
import { benchFullPath } from './fullPath.js';
import { benchDispatch } from './dispatch.js';
import { benchLarge } from './large.js';
import { benchGrowth } from './growth.js';
import { benchImport } from './importMbox.js';
import { benchIngestCli } from './ingestCli.js';
import { benchReplyText } from './replyText.js';
import { benchWorstCase } from './worstCase.js';
import { benchPgIngest } from './pgIngest.js';
import { benchPgDispatch } from './pgDispatch.js';
import { releaseBenchPostgres } from './postgres.js';
import { benchMailbox } from './mailbox.js';
import { formatTable, type BenchContext, type Row } from './table.js';
import { startServerChild, useBenchDns } from './child.js';

const BENCHES: { row: string; run: (ctx: BenchContext) => Promise<Row[]> }[] = [
  { row: '1', run: benchIngest },
  { row: '2', run: async (ctx) => [...(await benchFullPath(ctx)), ...(await benchSmtpSource(ctx))] },
  { row: '3', run: benchDispatch },
  { row: '4', run: benchLarge },
  { row: '5', run: benchGrowth },
  { row: '6', run: benchReplyText },
  { row: '6b', run: benchWorstCase },
  { row: '7', run: benchPgIngest },
  { row: '8', run: benchPgDispatch },
  { row: '9', run: benchMailbox },
  { row: '10', run: benchImport },
  { row: '11', run: benchIngestCli },
];

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const smoke = process.argv.includes('--smoke');
  const only = option('--only')?.split(',').map((s) => s.trim());
  const profileDir = option('--profile');
  // On the same disk as the work tree would be nicer, but os.tmpdir() is what a fresh clone has;
  // the folder is printed so that its file system can be checked (tmpfs makes fsync free).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casegate-bench-'));
  const notes: string[] = [];
  const sections: BenchContext['sections'] = [];
  const runs = Number(option('--runs') ?? (smoke ? 2 : 10));
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs "${option('--runs')}" must be a whole number of at least 1`);
  const ctx: BenchContext = {
    dir,
    smoke,
    runs,
    notes,
    sections,
    profile: (name) => {
      if (!profileDir) return {};
      const to = path.resolve(profileDir, name);
      fs.mkdirSync(to, { recursive: true });
      return { cpuProfDir: to };
    },
  };
  const rows: Row[] = [];
  const started = performance.now();
  const senderAuth = option('--sender-auth') ?? 'enforce';
  if (senderAuth !== 'enforce' && senderAuth !== 'off') throw new Error(`--sender-auth "${senderAuth}" must be enforce or off`);
  const dns = senderAuth === 'enforce' ? await startServerChild('dns') : null;
  useBenchDns(dns === null ? null : `127.0.0.1:${dns.port}`);
  notes.push(
    dns === null
      ? 'sender authentication off (--sender-auth off)'
      : `sender authentication enforce: SPF and DMARC of every message looked up through a loopback DNS server child (port ${dns.port})`,
  );
  console.error(`casegate bench${smoke ? ' (smoke)' : ''}: ${os.cpus().length} cores, node ${process.version}, data in ${dir}`);
  try {
    for (const bench of BENCHES) {
      if (only && !only.includes(bench.row)) continue;
      const t0 = performance.now();
      console.error(`row ${bench.row} ...`);
      rows.push(...(await bench.run(ctx)));
      console.error(`row ${bench.row} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await releaseBenchPostgres();
    const asked = await dns?.stop().catch(() => ({ queries: undefined }));
    if (asked?.queries !== undefined) notes.push(`the DNS server child answered ${asked.queries} questions`);
    if (!process.argv.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
  }
  const date = new Date().toISOString().slice(0, 10);
  console.log(`\ncasegate bench, ${date}, nproc ${os.availableParallelism()}, node ${process.version}${smoke ? ', SMOKE (tiny counts, timings mean nothing)' : ''}\n`);
  console.log(formatTable(rows));
  if (notes.length > 0) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
  for (const s of sections) console.log(`\n${s.title}:\n${s.lines.map((l) => `  ${l}`).join('\n')}`);
  console.log(`\n${rows.length} rows in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
