// `casegate contact create ... | list | search QUERY | show ID|EMAIL`
import { Command } from 'commander';
import { contactRecord, createContact, listContacts, requireContact, searchContacts } from '../../admin/contacts.js';
import { printRecord, printTable } from '../output.js';
import { action } from '../run.js';

interface CreateOptions {
  email: string;
  first: string;
  last: string;
  account?: string;
  username?: string;
  handle?: string;
  externalId?: string;
  division?: string;
  helpAdmin?: boolean;
  notEligible?: boolean;
}

const COLUMNS = ['id', 'email', 'firstName', 'lastName', 'account', 'eligible', 'helpAdmin'];

export function contactCommand(): Command {
  const contact = new Command('contact')
    .description('manage contacts: the people at your customer accounts who write in')
    .addHelpText(
      'after',
      `
Mail from an address that exactly one contact has is linked to that contact. Several contacts may
share an address; mail from it then stays unlinked until an admin links a contact to the case.

Examples:
  casegate contact create --email bob@acme.example --first Bob --last Baker --account 1
  casegate contact search baker
  casegate contact show bob@acme.example`,
    );

  contact
    .command('create')
    .description('add a contact; prints its id')
    .requiredOption('--email <email>', 'the contact\'s email address')
    .requiredOption('--first <name>', 'first name')
    .requiredOption('--last <name>', 'last name')
    .option('--account <id>', 'id of the contact\'s account (see "casegate account list")')
    .option('--username <username>', 'username in your own systems, used to suggest contacts for unlinked cases')
    .option('--handle <handle>', 'chat or social handle, used to suggest contacts for unlinked cases')
    .option('--external-id <id>', 'id of the person in another system (CRM, billing)')
    .option('--division <division>', 'division; cases of the contact get it by default')
    .option('--help-admin', 'may add and remove collaborators on every case of the account')
    .option('--not-eligible', 'not entitled to support: opening a case for the contact is refused')
    .addHelpText(
      'after',
      `
A warning is printed when other contacts already have the same email.

Example:
  casegate contact create --email bob@acme.example --first Bob --last Baker --account 1 --help-admin`,
    )
    .action(
      action(
        async (ctx, o: CreateOptions) => {
          const input = {
            email: o.email,
            firstName: o.first,
            lastName: o.last,
            account: o.account ?? null,
            username: o.username ?? null,
            handle: o.handle ?? null,
            externalId: o.externalId ?? null,
            division: o.division ?? null,
            helpAdmin: o.helpAdmin === true,
            eligible: o.notEligible !== true,
          };
          const { contact: created, sameEmail } = await ctx.write((tx) => createContact(tx, input));
          if (sameEmail.length > 0) {
            process.stderr.write(
              `casegate: warning: ${sameEmail.length > 1 ? 'contacts' : 'contact'} ${sameEmail.map((c) => c.id).join(', ')} already ${sameEmail.length > 1 ? 'have' : 'has'} email ${created.email}; mail from it will not be linked to a contact automatically, link cases with "casegate case link-contact"\n`,
            );
          }
          return created;
        },
        (r) => printRecord(r),
      ),
    );

  contact
    .command('list')
    .description('list every contact')
    .addHelpText('after', '\nExample:\n  casegate contact list --json')
    .action(
      action(
        (ctx) => ctx.read((tx) => listContacts(tx)),
        (rows) => printTable(rows, COLUMNS),
      ),
    );

  contact
    .command('search')
    .description('find contacts whose email, name, username, handle or external id contains QUERY (letter case ignored)')
    .argument('<query>', 'text to look for, e.g. part of a name or an email domain')
    .addHelpText('after', '\nExamples:\n  casegate contact search baker\n  casegate contact search @acme.example')
    .action(
      action(
        (ctx, _opts, [query]) => ctx.read((tx) => searchContacts(tx, query ?? '')),
        (rows) => printTable(rows, COLUMNS),
      ),
    );

  contact
    .command('show')
    .description('show one contact by id or email; an email several contacts share lists them, so you can pick an id')
    .argument('<contact>', 'contact id or email address')
    .addHelpText('after', '\nExamples:\n  casegate contact show 3\n  casegate contact show bob@acme.example')
    .action(
      action(
        (ctx, _opts, [ref]) => ctx.read(async (tx) => contactRecord(await requireContact(tx, ref ?? ''))),
        (r) => printRecord(r),
      ),
    );

  return contact;
}
