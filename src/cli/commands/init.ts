import { Command } from 'commander';
import { action } from '../run.js';

export function initCommand(): Command {
  return new Command('init')
    .description('create the database, or migrate it to the current schema (safe to run again)')
    .action(
      action(
        (ctx) => ({ db: ctx.db.location, migrated: true }),
        (r) => console.log(`database ready: ${r.db}`),
        { createDatabase: true },
      ),
    );
}
