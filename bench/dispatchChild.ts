// A dispatcher in a process of its own, for the PostgreSQL dispatch rows (bench/pgDispatch.ts):
//   node dist/bench/dispatchChild.js --db URL --smtp URL --blob-dir DIR
// Opens the database and the pooled SMTP transport, prints {"ready":true}; then for every line "go"
// on stdin runs one pass (`runOnce`: claims and sends until nothing is due, beside any other
// dispatcher on the same database) and prints {"sent":…,"startedAt":…,"endedAt":…} (epoch ms, so
// that the parent can put several processes on one clock). Exits when stdin ends.
import readline from 'node:readline';
import { loadConfig } from '../src/config.js';
import { openDb } from '../src/db/client.js';
import { createDispatcher } from '../src/outbound/dispatcher.js';
import { createSmtpTransport } from '../src/outbound/transport.js';
import { BENCH_DOMAIN } from './mail.js';

/** The dispatcher's default number of messages in flight, as row 3. */
const CONCURRENCY = 10;

function option(name: string): string {
  const i = process.argv.indexOf(name);
  const value = i === -1 ? undefined : process.argv[i + 1];
  if (!value) throw new Error(`dispatchChild needs ${name}`);
  return value;
}

const epochMs = (): number => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const url = option('--db');
  const smtp = option('--smtp');
  const config = loadConfig({ db: url }, { CASEGATE_DOMAIN: BENCH_DOMAIN, CASEGATE_SMTP_URL: smtp });
  const db = await openDb(url, { blobDir: option('--blob-dir') });
  const transport = createSmtpTransport(smtp);
  const dispatcher = createDispatcher({ db, config, transport, concurrency: CONCURRENCY, log: (line) => console.error(`bench dispatcher: ${line}`) });
  const say = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
  say({ ready: true });
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() !== 'go') throw new Error(`dispatchChild: unknown command "${line}"; send "go"`);
    const startedAt = epochMs();
    const result = await dispatcher.runOnce();
    say({ ...result, startedAt, endedAt: epochMs() });
  }
  transport.close();
  await db.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
