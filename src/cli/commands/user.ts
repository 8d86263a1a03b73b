// `casegate user create --email E --name N [--can read,create,edit] | update EMAIL --can LIST | list`
import { Command } from 'commander';
import { createUser, listUsers, updateUser } from '../../admin/users.js';
import { printRecord, printTable } from '../output.js';
import { action } from '../run.js';

interface CreateOptions {
  email: string;
  name: string;
  can?: string;
}

const CAN_HELP = 'what the user may do with cases: a comma-separated list of read, create, edit';

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
    .option('--can <list>', `${CAN_HELP} (default: all)`)
    .addHelpText('after', '\nExample:\n  casegate user create --email ann@support.example.com --name "Ann Archer" --can read,edit')
    .action(
      action(
        (ctx, opts: CreateOptions) => ctx.write((tx) => createUser(tx, { email: opts.email, name: opts.name, can: opts.can })),
        (r) => printRecord({ ...r, can: r.can.join(',') || 'nothing' }),
      ),
    );

  user
    .command('update')
    .description('change what a user may do with cases')
    .argument('<email>', 'the user\'s email')
    .option('--can <list>', CAN_HELP)
    .addHelpText('after', '\nExample:\n  casegate user update ann@support.example.com --can read')
    .action(
      action(
        (ctx, opts: { can?: string }, [email]) => ctx.write((tx) => updateUser(tx, email as string, { can: opts.can })),
        (r) => printRecord({ ...r, can: r.can.join(',') || 'nothing' }),
      ),
    );

  user
    .command('list')
    .description('list every user')
    .addHelpText('after', '\nExample:\n  casegate user list --json')
    .action(
      action(
        (ctx) => ctx.read((tx) => listUsers(tx)),
        (rows) => printTable(rows.map((r) => ({ ...r, can: r.can.join(',') || 'nothing' })), ['id', 'email', 'name', 'can', 'createdAt']),
      ),
    );

  return user;
}
