// `casegate apikey create NAME [--can read,create,edit] | list | revoke ID`
import { Command } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey } from '../../admin/apiKeys.js';
import { PERMISSIONS } from '../../domain/permissions.js';
import { printTable } from '../output.js';
import { action } from '../run.js';

export function apikeyCommand(): Command {
  const cmd = new Command('apikey')
    .description('manage keys of the HTTP API (/api/v1): the key is printed once, only its hash is kept')
    .addHelpText(
      'after',
      `
Permissions: read (every GET), create (POST /api/v1/cases), edit (comments, collaborators, contact links).
A write answers a key with read with the whole case (internal comments included); a key without
read gets only the case number and what it changed. Collaborator changes name who acts ("as"):
the case contact, a help admin of its account, or a user with edit.

Examples:
  casegate apikey create care-escalation --can read,create
  casegate apikey list
  casegate apikey revoke 1`,
    );

  cmd
    .command('create')
    .description('make a key; it is printed this once and cannot be shown again')
    .argument('<name>', 'who uses the key, e.g. care-escalation')
    .option('--can <permissions>', `comma-separated ${PERMISSIONS.join(', ')}`, PERMISSIONS.join(','))
    .action(
      action(
        (ctx, o: { can: string }, [name]) => ctx.write((tx) => createApiKey(tx, name as string, o.can)),
        (r) => {
          console.log(`API key ${r.id} "${r.name}" can ${r.permissions.join(', ')}; it is shown only now, keep it safe:`);
          console.log(r.key);
        },
      ),
    );

  cmd
    .command('list')
    .description('list every key (never the key itself: its first characters)')
    .action(
      action(
        (ctx) => ctx.read((tx) => listApiKeys(tx)),
        (rows) => printTable(rows.map((r) => ({ ...r, permissions: r.permissions.join(',') })), ['id', 'name', 'prefix', 'permissions', 'createdAt', 'revokedAt']),
      ),
    );

  cmd
    .command('revoke')
    .description('end a key at once; requests with it then get 401')
    .argument('<id>', 'key id (see apikey list)')
    .action(
      action(
        (ctx, _o, [id]) => ctx.write((tx) => revokeApiKey(tx, id as string)),
        (r) => console.log(`API key ${r.id} "${r.name}" revoked`),
      ),
    );
  return cmd;
}
