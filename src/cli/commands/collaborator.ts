// `casegate collaborator add|remove|list`.
import { Command } from 'commander';
import { action } from '../run.js';
import { printTable } from '../output.js';
import { addCollaborator, listCollaborators, removeCollaborator } from '../../admin/collaborators.js';

const AS_HELP = 'who is acting: the case contact or a help admin of its account (without --as: the operator, who may do all)';

export function collaboratorCommand(): Command {
  const cmd = new Command('collaborator').description(`add, remove and list the collaborators of a case (at most 20)`);
  cmd
    .command('add')
    .description('add an address to a case; it gets the case history by email and every update after')
    .argument('<number>', 'case number')
    .argument('<email>', 'address to add (any address, also outside the account)')
    .option('--as <email>', AS_HELP)
    .addHelpText('after', '\nExample:\n  casegate collaborator add 00001001 bob@acme.example --as ann@acme.example')
    .action(
      action<{ as?: string }, ReturnType<typeof addCollaborator>>(
        (ctx, o, [n, e]) => addCollaborator(ctx.db, ctx.config, n as string, e as string, o.as),
        (r) => console.log(`added ${r.email} to case ${r.case}${r.activeContact ? ' (active contact)' : ''}; history email queued`),
      ),
    );
  cmd
    .command('remove')
    .description('remove an address from a case')
    .argument('<number>', 'case number')
    .argument('<email>', 'address to remove')
    .option('--as <email>', AS_HELP)
    .action(
      action<{ as?: string }, ReturnType<typeof removeCollaborator>>(
        (ctx, o, [n, e]) => removeCollaborator(ctx.db, ctx.config, n as string, e as string, o.as),
        (r) => console.log(`removed ${r.email} from case ${r.case}`),
      ),
    );
  cmd
    .command('list')
    .description('list the collaborators of a case; ACTIVECONTACT says whether each is an active contact of its account')
    .argument('<number>', 'case number')
    .action(
      action<object, ReturnType<typeof listCollaborators>>(
        (ctx, _o, [n]) => listCollaborators(ctx.db, ctx.config, n as string),
        (rows) => printTable(rows, ['email', 'activeContact', 'addedBy', 'createdAt']),
      ),
    );
  return cmd;
}
