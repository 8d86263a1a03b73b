// `casegate fetch [--once] [--mailbox URL|ID]`: take the mail waiting in the IMAP mailboxes. With
// --once every mailbox is drained once and the command ends (exit 75 when one could not be read,
// so that cron shows it); without, the mailboxes are watched until SIGTERM or SIGINT, as `serve` does.
import { Command } from 'commander';
import { requireMailbox } from '../../admin/mailboxes.js';
import { EXIT } from '../../domain/answers.js';
import { createCommitter } from '../../db/client.js';
import { applyHeapPolicy } from '../../heapPolicy.js';
import { action, type Context } from '../run.js';
import { untilSignal } from '../signals.js';
import type { MailboxPass } from '../../mailbox/once.js';

interface FetchOptions {
  once?: boolean;
  mailbox?: string;
}

export function fetchCommand(): Command {
  return new Command('fetch')
    .description('take the mail waiting in the IMAP mailboxes (see "casegate mailbox"); notifications go to the outbox')
    .option('--once', 'drain every mailbox once, then exit (default: keep watching until SIGTERM or SIGINT)')
    .option('--mailbox <mailbox>', 'with --once: only this mailbox (URL or id)')
    .addHelpText(
      'after',
      `
One line per mailbox: messages taken into casegate/done, refused into casegate/refused (their
reasons are in "casegate inbound list"), and left for the next run (a temporary failure).
A mailbox that cannot be reached is reported and the others go on; then the exit code is 75.
Without --once, an unreachable mailbox is tried again after CASEGATE_MAILBOX_RETRY_SCHEDULE
(seconds, default 5,30,120,600,1800). Run "casegate dispatch" (or serve) to send the notifications.`,
    )
    .action(action(runFetch, printPasses, { exitWhenDone: true }));
}

async function runFetch(ctx: Context, opts: FetchOptions): Promise<MailboxPass[]> {
  // A mailbox drain or a watcher that runs for days: the collector's settings of serve (src/heapPolicy.ts).
  applyHeapPolicy();
  const only = opts.mailbox === undefined ? undefined : await ctx.read((tx) => requireMailbox(tx, opts.mailbox ?? ''));
  const ingest = { db: ctx.db, config: ctx.config, committer: createCommitter(ctx.db) };
  if (opts.once) {
    const { fetchOnce } = await import('../../mailbox/once.js');
    let stopping = false;
    const work = fetchOnce(ingest, { only, stopping: () => stopping, log: (line) => process.stderr.write(`casegate: ${line}\n`) });
    await untilSignal(async () => {
      stopping = true;
      await work.catch(() => undefined);
    }, work);
    const passes = await work;
    if (passes.some((p) => p.error !== null)) process.exitCode = EXIT.TEMPFAIL;
    return passes;
  }
  const { createMailboxWatchers } = await import('../../mailbox/watch.js');
  const watchers = createMailboxWatchers(ingest, { log: (line) => console.log(line) });
  watchers.start();
  // The handlers go in before the line that says so: whoever reads it may send SIGTERM at once.
  const stopped = untilSignal(() => watchers.stop());
  console.log('watching the mailboxes until SIGTERM or SIGINT');
  await stopped;
  return [];
}

function printPasses(passes: MailboxPass[]): void {
  if (passes.length === 0) console.log('no mailbox to fetch from; add one with "casegate mailbox add"');
  for (const p of passes) {
    const counts = `${p.done} taken into casegate/done, ${p.refused} refused into casegate/refused, ${p.kept} left for the next run`;
    if (p.error === null) console.log(`${p.url}: ${counts}`);
    else {
      console.log(`${p.url}: ${counts}`);
      process.stderr.write(`casegate: mailbox ${p.url}: ${p.error}; the next run tries again\n`);
    }
  }
}
