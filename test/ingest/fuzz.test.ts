// Fuzzing stays (issue 11): mutations of the fixtures sent over real SMTP to a real gateway on a
// real database. No mutation is a system fault, so every answer must be 250 or 5xx (a 4xx would
// make relays retry forever), the server never crashes, and a legitimate reply still gets stored
// afterwards. Bounded: FUZZ_ITERATIONS mutations (default 1,000, about 20 s); set
// CASEGATE_FUZZ_ITERATIONS for a longer run. Prints the peak RSS of the run.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, SUPPORT, countRows } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { rawSession, type RawSession } from '../helpers/smtpRaw.js';
import { fuzzJobs, random } from '../../bench/mutations.js';

const ITERATIONS = Number(process.env.CASEGATE_FUZZ_ITERATIONS ?? 1000);
const SEED = Number(process.env.CASEGATE_FUZZ_SEED ?? 11);
const CONNECTIONS = 4;
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

let gw: Gateway;
let peakRss = 0;
let sampler: NodeJS.Timeout;
beforeAll(async () => {
  gw = await startGateway({ CASEGATE_MIN_FREE_BYTES: '0', CASEGATE_MAX_CONNECTIONS_PER_IP: '50' });
  sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
});
afterAll(async () => {
  clearInterval(sampler);
  await gw.close();
});

describe(`fuzzing (${ITERATIONS} mutations, seed ${SEED})`, () => {
  it('answers every mutation 250 or 5xx, never crashes, and still takes a legitimate reply', async () => {
    const bases = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.eml')).map((f) => fs.readFileSync(path.join(FIXTURES, f)));
    const rnd = random(SEED);
    const jobs = fuzzJobs(bases, ITERATIONS, rnd, ANN, (job) => ({ ...job, to: rnd() < 0.5 ? gw.caseAddress : SUPPORT }));
    const wrong: string[] = [];
    const classes = { taken: 0, refused: 0 };
    let next = 0;
    const worker = async (): Promise<void> => {
      let s: RawSession | null = null;
      while (next < jobs.length) {
        const job = jobs[next++]!;
        s ??= await rawSession(gw.port, { timeoutMs: 30_000 });
        const r = await s.send(job.raw, { from: ANN, to: [job.to] });
        if (r.code === 250) classes.taken += 1;
        else if (r.code >= 500 && r.code < 600) classes.refused += 1;
        else wrong.push(`#${job.i} ${job.name}: ${r.code} ${r.text.slice(0, 160)}`);
        // A session the server ended (or one with a 5xx at MAIL/RCPT) starts afresh.
        if (r.code === 0 || r.code === 421) {
          s.end();
          s = null;
        } else await s.command('RSET');
      }
      s?.end();
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, worker));
    expect(wrong).toEqual([]);
    expect(classes.taken + classes.refused).toBe(ITERATIONS);

    const before = await count();
    const s = await rawSession(gw.port);
    try {
      const r = await s.send(mail({ from: ANN, body: 'After the storm, a real reply.' }), { from: ANN, to: [gw.caseAddress] });
      expect(r.code).toBe(250);
    } finally {
      s.end();
    }
    expect(await count()).toBe(before + 1);
    console.log(`fuzz: ${ITERATIONS} mutations (seed ${SEED}): ${classes.taken} answered 250, ${classes.refused} 5xx, 0 other; peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
  }, 240_000);
});

const count = (): Promise<number> => countRows(gw.db, 'comments');
