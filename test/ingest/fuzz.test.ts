// Fuzzing stays (issue 11): mutations of the fixtures sent over real SMTP to a real gateway on a
// real SQLite file. No mutation is a system fault, so every answer must be 250 or 5xx (a 4xx would
// make relays retry forever), the server never crashes, and a legitimate reply still gets stored
// afterwards. Bounded: FUZZ_ITERATIONS mutations (default 1,000, about 20 s); set
// CASEGATE_FUZZ_ITERATIONS for a longer run. Prints the peak RSS of the run.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, SUPPORT } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { rawSession, type RawSession } from '../helpers/smtpRaw.js';

const ITERATIONS = Number(process.env.CASEGATE_FUZZ_ITERATIONS ?? 1000);
const SEED = Number(process.env.CASEGATE_FUZZ_SEED ?? 11);
const CONNECTIONS = 4;
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

/** mulberry32: a small seeded generator, so a failing run can be replayed with its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Mutation = (base: Buffer, rnd: () => number) => Buffer;
const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const str = (b: Buffer): string => b.toString('latin1');
const buf = (s: string): Buffer => Buffer.from(s, 'latin1');

const MUTATIONS: Readonly<Record<string, Mutation>> = {
  byteFlips(base, rnd) {
    const out = Buffer.from(base);
    for (let i = 0, n = 1 + Math.floor(rnd() * 20); i < n; i++) out[Math.floor(rnd() * out.length)] = Math.floor(rnd() * 256);
    return out;
  },
  cut: (base, rnd) => base.subarray(0, Math.floor(rnd() * base.length)),
  cutBoundaries: (base, rnd) => buf(str(base).replace(/^--[^\r\n]*$/gm, (m) => (rnd() < 0.5 ? '' : m.slice(0, Math.floor(rnd() * m.length))))),
  nesting(_base, rnd) {
    const depth = 1000 + Math.floor(rnd() * 10);
    const head = Array.from({ length: depth }, (_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`).join('');
    const tail = Array.from({ length: depth }, (_, i) => `\r\n--b${depth - 1 - i}--`).join('');
    return buf(`From: ${ANN}\r\nSubject: nested\r\nMIME-Version: 1.0\r\n${head}Content-Type: text/plain\r\n\r\ndeep${tail}\r\n`);
  },
  manyHeaders: (base) => buf(`${Array.from({ length: 10_000 }, (_, i) => `X-H${i}: v${i}`).join('\r\n')}\r\n${str(base)}`),
  longHeaderLine: (base) => buf(`X-Long: ${'a'.repeat(2 * 1024 * 1024)}\r\n${str(base)}`),
  badEncoding: (base, rnd) =>
    buf(
      str(base)
        .replace(/Content-Transfer-Encoding: [^\r\n]*/gi, () => `Content-Transfer-Encoding: ${pick(rnd, ['base64', 'quoted-printable', 'x-uuencode', 'bogus'])}`)
        .replace(/\r\n\r\n/, `\r\n\r\n${pick(rnd, ['!!!*&^%$', '=ZZ=Q=\r\n=', 'YWJj=ZGVm===', '=\r\n=0'])}`),
    ),
  unknownCharset: (base, rnd) => buf(str(base).replace(/charset="?[^";\r\n]*"?/gi, `charset=${pick(rnd, ['x-unknown-42', 'utf-7', '', 'iso-2022-jp-3', 'ü'])}`)),
  nulBytes(base, rnd) {
    const s = str(base);
    const at = Math.floor(rnd() * s.length);
    return buf(`${s.slice(0, at)}\0\0${'\0'.repeat(Math.floor(rnd() * 100))}${s.slice(at)}`);
  },
  bareLf: (base) => buf(str(base).replace(/\r\n/g, '\n')),
  headersOnly: (base) => buf(str(base).split(/\r?\n\r?\n/)[0] ?? ''),
  nonAsciiAddresses: (base, rnd) =>
    Buffer.concat([
      Buffer.from(`From: ${pick(rnd, ['"Jörg" <jörg@exämple.de>', 'ユーザー@例え.jp', '=?utf-8?B?w6Q=?= <ä@b>', '<@@@>'])}\r\n`, 'utf8'),
      buf(str(base).replace(/^From: [^\r\n]*\r\n/im, '')),
    ]),
  garbage: (_base, rnd) => Buffer.from(Array.from({ length: Math.floor(rnd() * 5000) }, () => Math.floor(rnd() * 256))),
};
/** The expensive ones come seldom; the cheap ones make up the count. */
const HEAVY = new Set(['nesting', 'manyHeaders', 'longHeaderLine']);

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
    const names = Object.keys(MUTATIONS);
    const jobs = Array.from({ length: ITERATIONS }, (_, i) => {
      let name = pick(rnd, names);
      while (HEAVY.has(name) && i % 40 !== 0) name = pick(rnd, names);
      return { i, name, raw: (MUTATIONS[name] as Mutation)(pick(rnd, bases), rnd), to: rnd() < 0.5 ? gw.caseAddress : SUPPORT };
    });
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

    const before = count();
    const s = await rawSession(gw.port);
    try {
      const r = await s.send(mail({ from: ANN, body: 'After the storm, a real reply.' }), { from: ANN, to: [gw.caseAddress] });
      expect(r.code).toBe(250);
    } finally {
      s.end();
    }
    expect(count()).toBe(before + 1);
    console.log(`fuzz: ${ITERATIONS} mutations (seed ${SEED}): ${classes.taken} answered 250, ${classes.refused} 5xx, 0 other; peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
  }, 240_000);
});

function count(): number {
  const db = new Database(gw.config.db, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM comments').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
