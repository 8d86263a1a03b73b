// `casegate routing add ADDRESS [...] | list | remove ADDRESS`
import { Command } from 'commander';
import { addRoutingAddress, listRoutingAddresses, removeRoutingAddress } from '../../admin/routing.js';
import { printRecord, printTable } from '../output.js';
import { action } from '../run.js';

interface AddOptions {
  priority?: string;
  origin?: string;
  owner?: string;
  createContacts?: boolean;
  notify: boolean;
  recordType?: string;
}

export function routingCommand(): Command {
  const routing = new Command('routing')
    .description('manage routing addresses: the support addresses whose new mail opens cases (Email-to-Case)')
    .addHelpText(
      'after',
      `
Point your mail relay at casegate for each routing address (see "casegate serve --help").

Examples:
  casegate routing add support@example.com --owner ann@support.example.com --create-contacts
  casegate routing list
  casegate routing remove support@example.com`,
    );

  routing
    .command('add')
    .description('add a routing address with the defaults of the cases its mail opens')
    .argument('<address>', 'the support address, e.g. support@example.com (letter case ignored, must be new)')
    .option('--priority <priority>', 'priority of new cases: High, Medium or Low (default Medium)')
    .option('--origin <origin>', 'origin recorded on new cases, e.g. Email or Web (default Email)')
    .option('--owner <email>', 'email of the user who owns every new case; without it assignment rules decide')
    .option('--create-contacts', 'create a contact for a sender that no contact has the address of')
    .option('--no-notify', 'do not send the "case created" email to the sender')
    .option('--record-type <name>', 'record type of the cases its mail opens (one without required fields; its defaults apply)')
    .addHelpText(
      'after',
      `
Examples:
  casegate routing add support@example.com
  casegate routing add urgent@example.com --priority high --owner ann@support.example.com --no-notify`,
    )
    .action(
      action(
        (ctx, o: AddOptions, [address]) =>
          addRoutingAddress(ctx.db, ctx.config, {
            address: address ?? '',
            priority: o.priority ?? null,
            origin: o.origin ?? null,
            owner: o.owner ?? null,
            createContacts: o.createContacts === true,
            notify: o.notify,
            recordType: o.recordType ?? null,
          }),
        (r) => printRecord(r),
      ),
    );

  routing
    .command('list')
    .description('list the routing addresses and their defaults')
    .addHelpText('after', '\nExample:\n  casegate routing list --json')
    .action(
      action(
        (ctx) => listRoutingAddresses(ctx.db),
        (rows) => printTable(rows, ['id', 'address', 'priority', 'origin', 'owner', 'createContacts', 'notify']),
      ),
    );

  routing
    .command('remove')
    .description('stop opening cases from mail to ADDRESS (existing cases are kept)')
    .argument('<address>', 'the routing address to remove')
    .addHelpText('after', '\nExample:\n  casegate routing remove support@example.com')
    .action(
      action(
        (ctx, _opts, [address]) => removeRoutingAddress(ctx.db, address ?? ''),
        (r) => console.log(`removed routing address ${r.address}`),
      ),
    );

  return routing;
}
