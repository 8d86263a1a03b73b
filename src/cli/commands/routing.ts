// `casegate routing add ADDRESS [...] | update ADDRESS [...] | list | remove ADDRESS`
import fs from 'node:fs';
import { Command } from 'commander';
import { addRoutingAddress, listRoutingAddresses, removeRoutingAddress, updateRoutingAddress, type RoutingRecord, type RoutingSettingsInput } from '../../admin/routing.js';
import { invalid } from '../../errors.js';
import { cellText, printRecord, printTable } from '../output.js';
import { action } from '../run.js';

interface SettingOptions {
  priority?: string;
  origin?: string;
  owner?: string;
  createContacts?: boolean;
  notify?: boolean;
  recordType?: string;
  acceptFrom?: string;
  block?: string;
  rateLimit?: string;
  saveHeaders?: boolean;
  /** A file name; false: --no-auto-response. */
  autoResponse?: string | false;
  autoResponseIf?: string;
}

const SETTINGS_HELP = `
Sender rules apply to all mail sent to the routing address, new mail and replies threaded
through it alike; mail to a case's own reply address is not affected. A LIST is comma-separated
addresses and @domains (@example.com matches that domain only, not its subdomains).
The auto-response template may use {{case.number}}, {{case.subject}}, {{contact.firstName}} and
{{replyAddress}}; it is read once and kept in the database.`;

export function routingCommand(): Command {
  const routing = new Command('routing')
    .description('manage routing addresses: the support addresses whose new mail opens cases (Email-to-Case)')
    .addHelpText(
      'after',
      `
Point your mail relay at casegate for each routing address (see "casegate serve --help").

Examples:
  casegate routing add support@example.com --owner ann@support.example.com --create-contacts
  casegate routing update support@example.com --block @spam.example --rate-limit 5
  casegate routing list
  casegate routing remove support@example.com`,
    );

  const add = routing
    .command('add')
    .description('add a routing address with the defaults of the cases its mail opens')
    .argument('<address>', 'the support address, e.g. support@example.com (letter case ignored, must be new)')
    .option('--priority <priority>', 'priority of new cases: High, Medium or Low (default Medium)')
    .option('--origin <origin>', 'origin recorded on new cases, e.g. Email or Web (default Email)')
    .option('--owner <email>', 'email of the user who owns every new case; without it assignment rules decide')
    .option('--create-contacts', 'create a contact for a sender that no contact has the address of')
    .option('--no-notify', 'do not send the "case created" email to the sender')
    .option('--record-type <name>', 'record type of the cases its mail opens (one without required fields; its defaults apply)');
  mailOptions(add).option('--save-headers', 'keep the raw header section of each message to this address for "casegate inbound show"');
  add
    .addHelpText(
      'after',
      `${SETTINGS_HELP}

Examples:
  casegate routing add support@example.com
  casegate routing add urgent@example.com --priority high --owner ann@support.example.com --no-notify
  casegate routing add partners@example.com --accept-from @partner.example,bob@example.org --rate-limit 10 \\
      --auto-response ack.txt --auto-response-if urgent`,
    )
    .action(
      action(
        (ctx, o: SettingOptions, [address]) =>
          ctx.write((tx) =>
            addRoutingAddress(tx, ctx.config, {
              address: address ?? '',
              ...settingsOf(o),
              priority: o.priority ?? null,
              origin: o.origin ?? null,
              owner: o.owner ?? null,
              createContacts: o.createContacts === true,
              notify: o.notify !== false,
              recordType: o.recordType ?? null,
            }),
          ),
        printRouting,
      ),
    );

  const update = routing
    .command('update')
    .description('change the settings given of a routing address; the others stay as they are')
    .argument('<address>', 'an existing routing address')
    .option('--priority <priority>', 'priority of new cases: High, Medium or Low')
    .option('--origin <origin>', 'origin recorded on new cases, e.g. Email or Web')
    .option('--owner <email>', "email of the user who owns every new case; '' clears it (assignment rules decide)")
    .option('--create-contacts', 'create a contact for a sender that no contact has the address of')
    .option('--no-create-contacts', 'do not create contacts (unknown senders stay unlinked)')
    .option('--notify', 'send the "case created" email to the sender')
    .option('--no-notify', 'do not send the "case created" email to the sender')
    .option('--record-type <name>', "record type of the cases its mail opens; '' clears it");
  mailOptions(update)
    .option('--save-headers', 'keep the raw header section of each message to this address for "casegate inbound show"')
    .option('--no-save-headers', 'stop keeping the header section of accepted messages')
    .option('--no-auto-response', 'send no auto-response (the standard "case created" email goes again)')
    .addHelpText(
      'after',
      `${SETTINGS_HELP}

Examples:
  casegate routing update support@example.com --accept-from '' --block spammer@example.net
  casegate routing update support@example.com --rate-limit 0 --no-auto-response
  casegate routing update support@example.com --auto-response ack.txt --auto-response-if ''`,
    )
    .action(action((ctx, o: SettingOptions, [address]) => ctx.write((tx) => updateRoutingAddress(tx, address ?? '', { ...settingsOf(o), ...basicsOf(o) })), printRouting));

  routing
    .command('list')
    .description('list the routing addresses and all their settings')
    .addHelpText('after', '\nExample:\n  casegate routing list --json')
    .action(
      action(
        (ctx) => ctx.read((tx) => listRoutingAddresses(tx)),
        (rows) =>
          printTable(
            rows.map((r) => ({
              ...r,
              acceptFrom: r.acceptFrom.length === 0 ? 'anyone' : r.acceptFrom.join(','),
              block: r.block.length === 0 ? '-' : r.block.join(','),
              autoResponse: r.autoResponse === null ? null : r.autoResponseIf === null ? 'yes' : `if "${r.autoResponseIf}"`,
            })),
            ['id', 'address', 'priority', 'origin', 'owner', 'createContacts', 'notify', 'acceptFrom', 'block', 'rateLimit', 'saveHeaders', 'autoResponse'],
          ),
      ),
    );

  routing
    .command('remove')
    .description('stop opening cases from mail to ADDRESS (existing cases are kept)')
    .argument('<address>', 'the routing address to remove')
    .addHelpText('after', '\nExample:\n  casegate routing remove support@example.com')
    .action(
      action(
        (ctx, _opts, [address]) => ctx.write((tx) => removeRoutingAddress(tx, address ?? '')),
        (r) => console.log(`removed routing address ${r.address}`),
      ),
    );

  return routing;
}

/** The options of a routing address that add and update share. */
function mailOptions(cmd: Command): Command {
  return cmd
    .option('--accept-from <list>', "only these senders may write to it: addresses and @domains, comma-separated; '' = anyone")
    .option('--block <list>', "refuse these senders (550 5.7.1): addresses and @domains, comma-separated; '' = nobody")
    .option('--rate-limit <n>', 'new cases per sender per hour; over it mail gets 451 4.7.1 and the relay retries later; 0 = no limit')
    .option('--auto-response <file>', 'acknowledgement sent to the sender of a new case instead of the "case created" email (a text template)')
    .option('--auto-response-if <text>', "send the auto-response only when TEXT is in the subject or body (letter case ignored); '' = always");
}

function settingsOf(o: SettingOptions): RoutingSettingsInput {
  return {
    ...(o.acceptFrom !== undefined ? { acceptFrom: o.acceptFrom } : {}),
    ...(o.block !== undefined ? { block: o.block } : {}),
    ...(o.rateLimit !== undefined ? { rateLimit: o.rateLimit } : {}),
    ...(o.saveHeaders !== undefined ? { saveHeaders: o.saveHeaders } : {}),
    ...(o.autoResponse === false ? { autoResponse: null } : o.autoResponse !== undefined ? { autoResponse: readTemplate(o.autoResponse) } : {}),
    ...(o.autoResponseIf !== undefined ? { autoResponseIf: o.autoResponseIf } : {}),
  };
}

/** Update: only the basic settings given. */
function basicsOf(o: SettingOptions): RoutingSettingsInput {
  return {
    ...(o.priority !== undefined ? { priority: o.priority } : {}),
    ...(o.origin !== undefined ? { origin: o.origin } : {}),
    ...(o.owner !== undefined ? { owner: o.owner } : {}),
    ...(o.createContacts !== undefined ? { createContacts: o.createContacts } : {}),
    ...(o.notify !== undefined ? { notify: o.notify } : {}),
    ...(o.recordType !== undefined ? { recordType: o.recordType } : {}),
  };
}

function readTemplate(file: string): string {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    throw invalid(`cannot read the auto-response template ${file}: ${(err as Error).message}; give a readable text file with --auto-response`);
  }
  const text = buf.toString('utf8');
  if (text.includes('\uFFFD')) throw invalid(`the auto-response template ${file} is not UTF-8 text; save it as UTF-8 and try again`);
  return text;
}

function printRouting(r: RoutingRecord): void {
  printRecord({ ...r, acceptFrom: r.acceptFrom.length === 0 ? 'anyone' : cellText(r.acceptFrom), block: r.block.length === 0 ? null : cellText(r.block), autoResponse: r.autoResponse === null ? null : 'yes (below)' });
  if (r.autoResponse !== null) console.log(`\n${r.autoResponse.trimEnd()}`);
}
