// `casegate outbox list|retry`: see what was sent, what waits, what failed and what bounced; send a
// failed, held or bounced notification again.
import { Command } from 'commander';
import { action } from '../run.js';
import { printTable } from '../output.js';
import { retryRow } from '../../outbound/queue.js';
import { outboxList, type OutboxListFilter } from '../../views/outbox.js';
import { NOTIFICATION_KINDS, OUTBOX_STATUSES } from '../../domain/outbox.js';
import { parseId } from '../../domain/ids.js';
import { invalid } from '../../errors.js';

// --json adds messageId, envelopeFrom (the VERP address a bounce comes back to) and replyTo.
const COLUMNS = ['id', 'case', 'recipient', 'kind', 'status', 'attempts', 'nextAttemptAt', 'sentAt', 'lastError'];

export function outboxCommand(): Command {
  const cmd = new Command('outbox').description('list notifications and their delivery state; retry failed, held or bounced ones');

  cmd
    .command('list')
    .description(
      'list outbox rows, oldest first (one row per recipient per notification); bounced: sent, then reported as a permanent failure; --json adds messageId, envelopeFrom (the VERP address) and replyTo (the recipient\'s own reply address)',
    )
    .option('--status <status>', `only rows with this status: ${OUTBOX_STATUSES.join(', ')}`)
    .option('--kind <kind>', `only notifications of this kind: ${NOTIFICATION_KINDS.join(', ')} (owner: to the case owner)`)
    .option('--case <number>', 'only notifications of this case')
    .option('--recipient <addr>', 'only notifications to this address')
    .option('--since <when>', 'only rows written since WHEN: a date (2026-12-01), a time (2026-12-01T09:30Z) or a duration back from now (90m, 2h, 7d, 2w)')
    .addHelpText('after', '\nExamples:\n  casegate outbox list --case 00001001\n  casegate outbox list --recipient ann@acme.example --since 2d')
    .action(
      action(
        (ctx, opts: Omit<OutboxListFilter, 'id'>) =>
          ctx.read((tx) => outboxList(tx, ctx.config.domain, { status: opts.status, kind: opts.kind, case: opts.case, recipient: opts.recipient, since: opts.since })),
        (rows) => printTable(rows, COLUMNS),
      ),
    );

  cmd
    .command('retry')
    .description('send a failed, held or bounced row again, now; for a held or bounced row, also forget the bounce of its address')
    .argument('<id>', 'row id, from "casegate outbox list"')
    .action(
      action(
        (ctx, _opts, [id]) => {
          const rowId = parseId(id ?? '');
          if (rowId === null) throw invalid(`"${id ?? ''}" is not an outbox row id; see "casegate outbox list"`);
          return ctx.write(async (tx) => {
            await retryRow(tx, rowId, Date.now());
            return (await outboxList(tx, ctx.config.domain, { id: rowId }))[0];
          });
        },
        (row) => console.log(`outbox row ${row?.id} to ${row?.recipient} is pending again; "casegate dispatch --once" sends it now`),
      ),
    );

  return cmd;
}
