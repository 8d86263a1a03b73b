// `casegate comment add`.
import { Command } from 'commander';
import { action } from '../run.js';
import { addComment, type CommentInput } from '../../admin/comments.js';

export function commentCommand(): Command {
  const cmd = new Command('comment').description('write comments on cases');
  cmd
    .command('add')
    .description('add a comment; a public one is emailed to every participant but its author')
    .argument('<number>', 'case number')
    .requiredOption('--as <email>', 'author: a user (agent), or the case contact or a collaborator')
    .option('--body <text>', 'the comment text')
    .option('--file <path>', 'read the comment text from a file')
    .option('--attach <path>', 'attach a file (repeat for several)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--internal', 'internal note: not emailed to anyone (users only)')
    .addHelpText('after', '\nExample:\n  casegate comment add 00001001 --as agent@support.example --body "A technician is on the way." --attach report.pdf')
    .action(
      action<Omit<CommentInput, 'number'>, Awaited<ReturnType<typeof addComment>>>(
        (ctx, o, [n]) => addComment(ctx.db, ctx.config, { ...o, number: n as string }),
        (r) => console.log(`comment ${r.id} added to case ${r.case}${r.internal ? ' (internal)' : ''}`),
      ),
    );
  return cmd;
}
