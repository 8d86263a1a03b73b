// Peak memory of the casegate server per fuzz mutation family: for each family of bench/mutations.ts
// a fresh server child (bench/server.ts casegate, on a throwaway database) takes that family's
// mutations over 4 connections, as the fuzz test sends them, and its VmHWM is read from /proc. The
// baseline is a fresh child that takes only legitimate 4 KiB replies; "mix" is the fuzz test's own
// sequence (1,000 mutations, seed 11). Loopback only; every run is bounded by its message count.
//   node dist/bench/fuzzRss.js [--only nesting,manyHeaders] [--heavy 8] [--light 200] [--keep]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerChild } from './child.js';
import { replyData, MIB, type ReplyTarget } from './mail.js';
import { fuzzJobs, HEAVY, MUTATIONS, random, type Mutation } from './mutations.js';
import { seedDatabase } from './seed.js';
import { SmtpSession, wireData } from './smtpClient.js';

const CONNECTIONS = 4;

/**
 * The same families pushed to the message size limit (35 MiB by default), 4 at once: what a
 * hostile sender can make the server hold. Not in the fuzz test (too slow for npm test).
 */
const AT_THE_LIMIT: Readonly<Record<string, (from: string, to: string) => string>> = {
  // 30 MB of plain text, quoted-printable: decoded in memory, its reply text cut, stored twice (body, full body).
  hugeTextQp: (from, to) => `${head(from, to, 'text/plain; charset=utf-8', 'quoted-printable')}${'Caf=C3=A9 au lait, the printer is still jammed. '.repeat(30 * 1024 * 1024 / 48).replace(/(.{72})/g, '$1=\r\n')}\r\n`,
  // 24 MB of text as base64 (32 MB on the wire).
  hugeTextBase64: (from, to) => `${head(from, to, 'text/plain; charset=utf-8', 'base64')}${Buffer.from('the printer is still jammed\n'.repeat(24 * 1024 * 1024 / 28)).toString('base64').replace(/(.{76})/g, '$1\r\n')}\r\n`,
  // 30 MB of HTML only: turned into text.
  hugeHtml: (from, to) => `${head(from, to, 'text/html; charset=utf-8', '7bit')}<html><body>${'<p>the printer is <b>still</b> jammed</p>\r\n'.repeat(30 * 1024 * 1024 / 44)}</body></html>\r\n`,
  // One 20 MB header line (past the parser's 1 MiB header section).
  headerLine20MB: (from, to) => `X-Long: ${'a'.repeat(20 * 1024 * 1024)}\r\n${head(from, to, 'text/plain', '7bit')}hello\r\n`,
  // 100,000 short headers folded into 1 MiB just under the parser's limit.
  headers1MiB: (from, to) => `${Array.from({ length: 60_000 }, (_, i) => `X-H${i}: v${i}`).join('\r\n').slice(0, 1000 * 1024)}\r\n${head(from, to, 'text/plain', '7bit')}hello\r\n`,
};

function head(from: string, to: string, contentType: string, encoding: string): string {
  return [`From: <${from}>`, `To: <${to}>`, 'Subject: at the limit', `Message-ID: <limit.${Math.random().toString(36).slice(2)}@customer.bench>`, 'MIME-Version: 1.0', `Content-Type: ${contentType}`, `Content-Transfer-Encoding: ${encoding}`, '', ''].join('\r\n');
}
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

interface Measured {
  family: string;
  messages: number;
  taken: number;
  refused: number;
  other: number;
  peak: number | null;
  ms: number;
}

/** Sends `messages` over CONNECTIONS sessions to a fresh server child; its VmHWM at the end. */
async function measure(dir: string, family: string, messages: (target: ReplyTarget) => Buffer[]): Promise<Measured> {
  const db = path.join(dir, `${family}.db`);
  const [target] = (await seedDatabase(db, { cases: 4, hotEvery: 1, commentsPerCase: 1 })).hot;
  if (!target) throw new Error('seeding made no case');
  const all = messages(target);
  const server = await startServerChild('casegate', { db });
  const counts = { taken: 0, refused: 0, other: 0 };
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    let s: SmtpSession | null = null;
    while (next < all.length) {
      const data = all[next++] as Buffer;
      try {
        s ??= await SmtpSession.open(server.port);
        const r = await s.send({ mailFrom: target.contact, rcpt: target.address }, data);
        if (r.code === 250) counts.taken += 1;
        else if (r.code >= 500) counts.refused += 1;
        else counts.other += 1;
        if (r.code === 421) {
          s.destroy();
          s = null;
        }
      } catch {
        // the server closed the connection (a limit): counted, and the next message opens another
        counts.other += 1;
        s?.destroy();
        s = null;
      }
    }
    await s?.quit();
  };
  try {
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    return { family, messages: all.length, ...counts, peak: server.peakRss(), ms: performance.now() - started };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const only = option('--only')?.split(',').map((s) => s.trim());
  const heavy = Number(option('--heavy') ?? 8);
  const light = Number(option('--light') ?? 200);
  const bases = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.eml')).map((f) => fs.readFileSync(path.join(FIXTURES, f)));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casegate-fuzzrss-'));
  const rows: Measured[] = [];
  const run = async (family: string, messages: (t: ReplyTarget) => Buffer[]): Promise<void> => {
    if (only && !only.includes(family)) return;
    console.error(`${family} ...`);
    rows.push(await measure(dir, family, messages));
  };
  try {
    await run('baseline', (t) => Array.from({ length: light }, (_, i) => replyData(t, i)));
    for (const [family, mutate] of Object.entries(MUTATIONS) as [string, Mutation][]) {
      const rnd = random(11);
      const count = HEAVY.has(family) ? heavy : light;
      await run(family, (t) => Array.from({ length: count }, () => wireData(mutate(bases[Math.floor(rnd() * bases.length)] as Buffer, rnd, t.contact))));
    }
    for (const [family, make] of Object.entries(AT_THE_LIMIT)) {
      await run(family, (t) => Array.from({ length: CONNECTIONS }, () => wireData(make(t.contact, t.address))));
    }
    await run('mix', (t) => fuzzJobs(bases, 1000, random(11), t.contact, (job) => wireData(job.raw)));
  } finally {
    if (!process.argv.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
  }
  const base = rows.find((r) => r.family === 'baseline')?.peak ?? null;
  const mib = (n: number | null): string => (n === null ? 'n/a' : `${(n / MIB).toFixed(0)} MiB`);
  console.log(`\ncasegate fuzz RSS per mutation family, ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${CONNECTIONS} connections\n`);
  console.log('| family | messages | 250 | 5xx | other | peak RSS (VmHWM) | over baseline | time |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const over = r.peak === null || base === null || r.family === 'baseline' ? '-' : `+${((r.peak - base) / MIB).toFixed(0)} MiB`;
    console.log(`| ${r.family} | ${r.messages} | ${r.taken} | ${r.refused} | ${r.other} | ${mib(r.peak)} | ${over} | ${(r.ms / 1000).toFixed(1)} s |`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
