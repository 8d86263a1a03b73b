// `casegate account create NAME | list`
import { Command } from 'commander';
import { createAccount, listAccounts } from '../../admin/accounts.js';
import { printRecord, printTable } from '../output.js';
import { action } from '../run.js';

export function accountCommand(): Command {
  const account = new Command('account')
    .description('manage accounts: the customer organisations your contacts belong to')
    .addHelpText(
      'after',
      `
Examples:
  casegate account create "Acme Ltd"
  casegate account list --json`,
    );

  account
    .command('create')
    .description('create an account; prints its id, which contact create --account and rule add --account take')
    .argument('<name>', 'name of the organisation (unique, letter case ignored); quote names with spaces')
    .addHelpText('after', '\nExample:\n  casegate account create "Acme Ltd"')
    .action(
      action(
        (ctx, _opts, [name]) => ctx.write((tx) => createAccount(tx, name ?? '')),
        (r) => printRecord(r),
      ),
    );

  account
    .command('list')
    .description('list every account with its id and number of contacts')
    .addHelpText('after', '\nExample:\n  casegate account list --json')
    .action(
      action(
        (ctx) => ctx.read((tx) => listAccounts(tx)),
        (rows) => printTable(rows, ['id', 'name', 'contacts', 'createdAt']),
      ),
    );

  return account;
}
