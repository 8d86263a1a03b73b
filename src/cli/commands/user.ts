// `casegate user create --email E --name N | list`
import { Command } from 'commander';
import { createUser, listUsers } from '../../admin/users.js';
import { printRecord, printTable } from '../output.js';
import { action } from '../run.js';

interface CreateOptions {
  email: string;
  name: string;
}

export function userCommand(): Command {
  const user = new Command('user')
    .description('manage users: the agents of your support team, who own cases and write comments')
    .addHelpText(
      'after',
      `
Examples:
  casegate user create --email ann@support.example.com --name "Ann Archer"
  casegate user list`,
    );

  user
    .command('create')
    .description('add a user; each email can belong to one user only')
    .requiredOption('--email <email>', 'the agent\'s email address, e.g. ann@support.example.com')
    .requiredOption('--name <name>', 'full name shown as the author of comments, e.g. "Ann Archer"')
    .addHelpText('after', '\nExample:\n  casegate user create --email ann@support.example.com --name "Ann Archer"')
    .action(
      action(
        (ctx, opts: CreateOptions) => createUser(ctx.db, { email: opts.email, name: opts.name }),
        (r) => printRecord(r),
      ),
    );

  user
    .command('list')
    .description('list every user')
    .addHelpText('after', '\nExample:\n  casegate user list --json')
    .action(
      action(
        (ctx) => listUsers(ctx.db),
        (rows) => printTable(rows, ['id', 'email', 'name', 'createdAt']),
      ),
    );

  return user;
}
