// Row 10: `casegate import mbox` of a 1 GiB mbox (smoke: 4 MiB), the real binary on a throwaway
// SQLite database: messages of about 256 KiB (a text and a base64 attachment of random bytes, so
// nothing deduplicates), every second one a reply to the one before (a comment of its case). Peak
// RSS of the import process (VmHWM, read from /proc while it runs) against a budget of 200 MiB, and
// its rate against reading the same file as a stream and discarding it (the least any import does).
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import type { BenchContext, Row } from './table.js';
import { casegateBin, runCasegateMeasured } from './child.js';

const MIB = 1024 * 1024;
const BUDGET_MIB = 200;
const SUPPORT = 'support@bench-import.example';

/** Writes the mbox a message at a time (never the whole file in memory); returns the message count. */
function writeMbox(file: string, bytes: number): number {
  const fd = fs.openSync(file, 'w');
  let written = 0;
  let n = 0;
  try {
    while (written < bytes) {
      n++;
      const sender = `customer${Math.ceil(n / 2)}@customer.bench`;
      const thread = `<import-${Math.ceil(n / 2)}@customer.bench>`;
      const reply = n % 2 === 0;
      const date = new Date(Date.UTC(2024, 0, 1) + n * 60_000).toUTCString().replace('GMT', '+0000');
      const attachment = randomBytes(190 * 1024).toString('base64').replace(/.{76}/g, '$&\n');
      const message = [
        `From ${sender} ${new Date(Date.UTC(2024, 0, 1) + n * 60_000).toUTCString()}`,
        `From: Customer ${n} <${sender}>`,
        `To: ${SUPPORT}`,
        `Subject: ${reply ? 'Re: ' : ''}Order ${Math.ceil(n / 2)} arrived damaged`,
        `Date: ${date}`,
        `Message-ID: ${reply ? `<import-${n}-reply@customer.bench>` : thread}`,
        ...(reply ? [`In-Reply-To: ${thread}`, `References: ${thread}`] : []),
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        '',
        `Message ${n}: the parcel of order ${Math.ceil(n / 2)} came with a broken corner.`,
        '>From the photo you can see the damage.',
        '--b',
        `Content-Type: application/octet-stream; name="photo-${n}.bin"`,
        'Content-Transfer-Encoding: base64',
        '',
        attachment,
        '--b--',
        '',
        '',
      ].join('\n');
      fs.writeSync(fd, message);
      written += Buffer.byteLength(message);
    }
  } finally {
    fs.closeSync(fd);
  }
  return n;
}

/** Seconds to stream `file` and discard it. */
async function readSeconds(file: string): Promise<number> {
  const t0 = performance.now();
  for await (const chunk of fs.createReadStream(file, { highWaterMark: MIB })) void (chunk as Buffer).length;
  return (performance.now() - t0) / 1000;
}

/** Runs the import; returns its summary, wall seconds and the highest VmHWM seen, in MiB. */
async function runImport(bin: string, db: string, file: string): Promise<{ summary: Record<string, number>; seconds: number; peakMib: number }> {
  const env = { CASEGATE_DOMAIN: 'cases.bench', CASEGATE_MIN_FREE_BYTES: '0' };
  const run = await runCasegateMeasured(bin, ['--db', db, 'import', 'mbox', file, '--to', SUPPORT, '--json'], env);
  return { summary: JSON.parse(run.out) as Record<string, number>, seconds: run.seconds, peakMib: run.peakMib };
}

export async function benchImport(ctx: BenchContext): Promise<Row[]> {
  const bin = casegateBin;
  const dir = path.join(ctx.dir, 'import');
  fs.mkdirSync(dir, { recursive: true });
  const mbox = path.join(dir, 'history.mbox');
  const db = path.join(dir, 'casegate.db');
  const messages = writeMbox(mbox, ctx.smoke ? 4 * MIB : 1024 * MIB);
  const size = fs.statSync(mbox).size;
  execFileSync(bin, ['--db', db, 'init'], { stdio: 'ignore', env: { ...process.env, CASEGATE_DOMAIN: 'cases.bench' } });
  execFileSync(bin, ['--db', db, 'routing', 'add', SUPPORT], { stdio: 'ignore', env: { ...process.env, CASEGATE_DOMAIN: 'cases.bench' } });
  const floor = await readSeconds(mbox);
  const run = await runImport(bin, db, mbox);
  fs.rmSync(mbox, { force: true });
  const mb = size / MIB;
  ctx.notes.push(
    `7: ${messages} messages, ${mb.toFixed(0)} MiB mbox: ${run.summary.added} added, ${run.summary.duplicates} duplicates, ${run.summary.refused} refused in ${run.seconds.toFixed(1)} s ` +
      `(${(messages / run.seconds).toFixed(1)} msg/s, ${(mb / run.seconds).toFixed(1)} MiB/s); reading the file alone: ${(mb / floor).toFixed(0)} MiB/s`,
  );
  return [
    {
      id: '10',
      name: `import mbox, ${mb >= 1024 ? `${(mb / 1024).toFixed(1)} GiB` : `${mb.toFixed(0)} MiB`} (peak RSS)`,
      casegate: `${run.peakMib.toFixed(0)} MiB, ${(messages / run.seconds).toFixed(1)} msg/s, ${(mb / run.seconds).toFixed(1)} MiB/s`,
      baseline: `budget ${BUDGET_MIB} MiB; read alone ${(mb / floor).toFixed(0)} MiB/s`,
      ratio: run.peakMib / BUDGET_MIB,
      target: { max: 1, label: `<= ${BUDGET_MIB} MiB` },
    },
  ];
}
