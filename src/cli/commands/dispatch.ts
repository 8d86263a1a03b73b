// `casegate dispatch [--once]`: send the outbox. Without --once it runs until SIGTERM or SIGINT,
// then lets the messages in flight finish and exits.
import { Command } from 'commander';
import { action, type Context } from '../run.js';
import { untilSignal } from '../signals.js';
import type { PassResult } from '../../outbound/dispatcher.js';
import { heldInOutbox } from '../../outbound/queue.js';

/**
 * What a dispatch run did (`sent`, `retried`: deferred to a later attempt, `failed`, `held`: rows
 * this run found due and held because their address hard-bounced), and how many rows are held in
 * the outbox now (`heldInOutbox`, whenever they were held: rows held at enqueue are never due).
 */
export type DispatchReport = PassResult & { heldInOutbox: number };

interface DispatchOptions {
  once?: boolean;
  /** Read by loadConfig (config.leaseMs). */
  leaseSeconds?: string;
}

export function dispatchCommand(): Command {
  return new Command('dispatch')
    .description(
      'send due outbox rows: to the relay in CASEGATE_SMTP_URL, or as .eml files into CASEGATE_OUTBOX_DIR when no relay is set',
    )
    .option('--once', 'send everything due now, then exit (default: keep running until SIGTERM or SIGINT)')
    .option(
      '--lease-seconds <n>',
      'how long a claimed row is reserved for this dispatcher; a row of a crashed dispatcher is sent again after it (default 300)',
    )
    .addHelpText(
      'after',
      `
Temporary failures (4xx answers, network errors) are retried on the schedule in
CASEGATE_RETRY_SCHEDULE (seconds, e.g. 60,300,900); permanent ones (5xx) are marked failed
with the server's answer. See them with "casegate outbox list --status failed".
Mail to an address that hard-bounced is held, not sent: the summary line gives what this run
sent, deferred (retried later), failed and held, then how many rows are held in the outbox in
all (also those held when they were written); "casegate outbox list --status held" lists them,
"casegate outbox retry ID" sends one again.`,
    )
    .action(action(runDispatch, printTotals, { exitWhenDone: true }));
}

async function runDispatch(ctx: Context, opts: DispatchOptions): Promise<DispatchReport> {
  // Loaded here, not at the top, so that other commands start without nodemailer.
  const { createDispatcher } = await import('../../outbound/dispatcher.js');
  const { createLog } = await import('../../log.js');
  const dispatcher = createDispatcher({
    db: ctx.db,
    config: ctx.config,
    // The long-running dispatcher logs each attempt as serve does; --once prints its summary only.
    ...(opts.once ? {} : { logger: createLog(ctx.config.logFormat) }),
    onPass: ctx.json || opts.once ? undefined : (r) => console.log(`this pass: ${runWords(r)}`),
  });
  if (opts.once) {
    // A signal stops the pass after the messages in flight; the rest stays due for the next run.
    const pass = dispatcher.runOnce();
    await untilSignal(() => dispatcher.stop(), pass);
    await dispatcher.stop();
    return { ...(await pass), heldInOutbox: await ctx.read(heldInOutbox) };
  }
  await dispatcher.start();
  await untilSignal(() => dispatcher.stop());
  return { ...dispatcher.totals(), heldInOutbox: await ctx.read(heldInOutbox) };
}

function runWords(r: PassResult): string {
  return `sent ${r.sent}, deferred ${r.retried} (retried later), failed ${r.failed}, newly held ${r.held}`;
}

function printTotals(r: DispatchReport): void {
  const list = r.heldInOutbox > 0 ? ' (casegate outbox list --status held)' : '';
  console.log(`this run: ${runWords(r)}; held in the outbox now: ${r.heldInOutbox}${list}`);
}
