// The mutation families of the fuzz test (test/ingest/fuzz.test.ts) and of the per-family memory
// measurement (bench/fuzzRss.ts): each turns a fixture into a damaged or hostile message. Seeded, so
// that a run can be replayed.

/** A mutation of `base`; `from` is the address a made-up message is written from. */
export type Mutation = (base: Buffer, rnd: () => number, from: string) => Buffer;

/** mulberry32: a small seeded generator, so a failing run can be replayed with its seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const str = (b: Buffer): string => b.toString('latin1');
const buf = (s: string): Buffer => Buffer.from(s, 'latin1');

export const MUTATIONS: Readonly<Record<string, Mutation>> = {
  byteFlips(base, rnd) {
    const out = Buffer.from(base);
    for (let i = 0, n = 1 + Math.floor(rnd() * 20); i < n; i++) out[Math.floor(rnd() * out.length)] = Math.floor(rnd() * 256);
    return out;
  },
  cut: (base, rnd) => base.subarray(0, Math.floor(rnd() * base.length)),
  cutBoundaries: (base, rnd) => buf(str(base).replace(/^--[^\r\n]*$/gm, (m) => (rnd() < 0.5 ? '' : m.slice(0, Math.floor(rnd() * m.length))))),
  nesting(_base, rnd, from) {
    const depth = 1000 + Math.floor(rnd() * 10);
    const head = Array.from({ length: depth }, (_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`).join('');
    const tail = Array.from({ length: depth }, (_, i) => `\r\n--b${depth - 1 - i}--`).join('');
    return buf(`From: ${from}\r\nSubject: nested\r\nMIME-Version: 1.0\r\n${head}Content-Type: text/plain\r\n\r\ndeep${tail}\r\n`);
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

/** The expensive ones: the fuzz test draws them for one mutation in 40. */
export const HEAVY: ReadonlySet<string> = new Set(['nesting', 'manyHeaders', 'longHeaderLine']);

export interface FuzzJob {
  i: number;
  name: string;
  raw: Buffer;
}

/**
 * The fuzz test's sequence of `count` mutations of `bases` (each job's recipient is drawn after
 * its message): a heavy family only at every 40th place. `draw` is called once per job, after the
 * mutation, so that callers can take further draws from `rnd` in the same order.
 */
export function fuzzJobs<J>(bases: readonly Buffer[], count: number, rnd: () => number, from: string, draw: (job: FuzzJob) => J): J[] {
  const names = Object.keys(MUTATIONS);
  return Array.from({ length: count }, (_, i) => {
    let name = pick(rnd, names);
    while (HEAVY.has(name) && i % 40 !== 0) name = pick(rnd, names);
    return draw({ i, name, raw: (MUTATIONS[name] as Mutation)(pick(rnd, bases), rnd, from) });
  });
}
