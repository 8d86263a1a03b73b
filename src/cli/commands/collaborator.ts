// `casegate collaborator add|remove|list`.
import { Command } from 'commander';
import { action } from '../run.js';
import { printTable } from '../output.js';
import { actorFor, addCollaborator, removeCollaborator } from '../../cases/collaborators.js';
import { requireCase } from '../../cases/find.js';
import { collaboratorList, collaboratorView } from '../../views/case.js';
import type { Context } from '../run.js';

function added(ctx: Context, o: { as?: string }, [n, e]: string[]) {
  return ctx.write(async (tx) => {
    const row = await requireCase(tx, n as string);
    const c = await addCollaborator(tx, ctx.config, row, e as string, await actorFor(tx, row, o.as), Date.now());
    return collaboratorView(tx, row, c.email, { id: c.id, addedBy: c.addedBy, createdAt: new Date(c.createdAt).toISOString() });
  });
}

function removed(ctx: Context, o: { as?: string }, [n, e]: string[]) {
  return ctx.write(async (tx) => {
    const row = await requireCase(tx, n as string);
    const id = await removeCollaborator(tx, row, e as string, await actorFor(tx, row, o.as));
    return collaboratorView(tx, row, e as string, { id, removed: true });
  });
}

const AS_HELP = 'who is acting: the case contact or a help admin of its account, or a user with the edit permission, who may do all (without --as: the operator, who may do all)';

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
      action<{ as?: string }, Awaited<ReturnType<typeof added>>>(
        added,
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
      action<{ as?: string }, Awaited<ReturnType<typeof removed>>>(
        removed,
        (r) => console.log(`removed ${r.email} from case ${r.case}`),
      ),
    );
  cmd
    .command('list')
    .description('list the collaborators of a case; ACTIVECONTACT says whether each is an active contact of its account')
    .argument('<number>', 'case number')
    .action(
      action<object, Awaited<ReturnType<typeof collaboratorList>>>(
        (ctx, _o, [n]) => ctx.read(async (tx) => collaboratorList(tx, await requireCase(tx, n as string))),
        (rows) => printTable(rows, ['email', 'activeContact', 'addedBy', 'createdAt']),
      ),
    );
  return cmd;
}
