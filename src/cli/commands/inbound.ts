// `casegate inbound list|show`.
import { Command } from 'commander';
import { action } from '../run.js';
import { printRecord, printTable } from '../output.js';
import { inboundList, inboundShow, type InboundListFilter } from '../../views/inbound.js';

export function inboundCommand(): Command {
  const cmd = new Command('inbound').description('the inbound log: every message that reached DATA, its decision and reason');
  cmd
    .command('list')
    .description('newest first')
    .option('--status <decision>', 'only accepted, refused, ignored or duplicate')
    .option('--from <addr>', 'only mail from this address (the From header or the envelope sender)')
    .option('--to <addr>', 'only mail to this recipient')
    .option('--message-id <id>', 'only the message with this Message-ID (angle brackets optional)')
    .option('--case <number>', 'only mail about this case')
    .option('--since <when>', 'only mail received since WHEN: a date (2026-12-01), a time (2026-12-01T09:30Z) or a duration back from now (90m, 2h, 7d, 2w)')
    .option('--limit <n>', 'at most this many rows', '100')
    .addHelpText('after', '\nExamples:\n  casegate inbound list --from ann@acme.example --since 7d\n  casegate inbound list --case 00001001')
    .action(
      action<InboundListFilter & { limit: string }, ReturnType<typeof inboundList>>(
        (ctx, o) => ctx.read((tx) => inboundList(tx, o)),
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
