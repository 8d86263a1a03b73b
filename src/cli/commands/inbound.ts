// `casegate inbound list|show`.
import { Command } from 'commander';
import { action } from '../run.js';
import { printRecord, printTable } from '../output.js';
import { inboundList, inboundShow } from '../../views/inbound.js';

export function inboundCommand(): Command {
  const cmd = new Command('inbound').description('the inbound log: every message that reached DATA, its decision and reason');
  cmd
    .command('list')
    .description('newest first')
    .option('--status <decision>', 'only accepted, refused, ignored or duplicate')
    .option('--limit <n>', 'at most this many rows', '100')
    .action(
      action<{ status?: string; limit: string }, ReturnType<typeof inboundList>>(
        (ctx, o) => ctx.read((tx) => inboundList(tx, { status: o.status, limit: o.limit })),
        (rows) => printTable(rows, ['id', 'createdAt', 'decision', 'from', 'rcpt', 'case', 'reason']),
      ),
    );
  cmd
    .command('show')
    .description('one entry, with the headers kept for refused and ignored mail (and all mail to a routing address with --save-headers)')
    .argument('<id>', 'inbound log id')
    .action(
      action<object, ReturnType<typeof inboundShow>>(
        (ctx, _o, [id]) => ctx.read((tx) => inboundShow(tx, id as string)),
        (r) => {
          printRecord(r);
          if (r.auth) console.log(`auth:         ${Object.entries(r.auth).map(([k, v]) => `${k}=${v}`).join(' ')}`);
          if (r.headers) console.log(`\n${r.headers}`);
        },
      ),
    );
  return cmd;
}
