// `casegate prune --inbound-older-than 90d --outbox-sent-older-than 30d`: retention, once (serve
// does it daily with CASEGATE_PRUNE_INBOUND_DAYS / CASEGATE_PRUNE_OUTBOX_SENT_DAYS).
import { Command, InvalidArgumentError } from 'commander';
import { parseAge } from '../../domain/retention.js';
import { invalid } from '../../errors.js';
import type { PruneReport } from '../../outbound/prune.js';
import { action, type Context } from '../run.js';

interface PruneOptions {
  inboundOlderThan?: number;
  outboxSentOlderThan?: number;
}

export function pruneCommand(): Command {
  return new Command('prune')
    .description('remove inbound log rows and sent notifications older than an age, and print what was removed')
    .option('--inbound-older-than <age>', 'inbound log rows received before this age, e.g. 90d or 36h (0d: all)', age)
    .option('--outbox-sent-older-than <age>', 'sent, failed and bounced notifications (and their .eml files) older than this, e.g. 30d (0d: all)', age)
    .addHelpText(
      'after',
      `
Never removed: cases, comments and their attachments, and notifications that may still be sent
(pending, retrying, held). A notification's age counts from when it was sent (a failed one from
when it was written). Attachment contents no row names any more are removed too (as "casegate gc").
Safe while serve runs: rows go in small batches. serve prunes once a day by itself when
CASEGATE_PRUNE_INBOUND_DAYS or CASEGATE_PRUNE_OUTBOX_SENT_DAYS is set.`,
    )
    .action(action(runPrune, printPrune));
}

function age(value: string): number {
  const ms = parseAge(value);
  if (ms === null) throw new InvalidArgumentError(`"${value}" is not an age; give days or hours, e.g. 90d or 36h`);
  return ms;
}

async function runPrune(ctx: Context, opts: PruneOptions): Promise<PruneReport> {
  if (opts.inboundOlderThan === undefined && opts.outboxSentOlderThan === undefined) {
    throw invalid('nothing to prune; give --inbound-older-than AGE, --outbox-sent-older-than AGE or both (e.g. 90d)');
  }
  const { pruneOnce } = await import('../../outbound/prune.js');
  return pruneOnce(ctx.db, ctx.config, { inbound: opts.inboundOlderThan ?? null, outbox: opts.outboxSentOlderThan ?? null });
}

function printPrune(r: PruneReport): void {
  if (r.inboundBefore !== null) console.log(`inbound log: removed ${r.inbound} row${r.inbound === 1 ? '' : 's'} received before ${r.inboundBefore}`);
  if (r.outboxBefore !== null) {
    console.log(`outbox: removed ${r.outbox} sent, failed or bounced notification${r.outbox === 1 ? '' : 's'} from before ${r.outboxBefore}, and ${r.emlFiles} .eml file${r.emlFiles === 1 ? '' : 's'}`);
  }
  console.log(`attachment contents: removed ${r.orphans} no row names (${r.bytes} bytes)`);
}
