// `casegate backup FILE`: a consistent copy of the SQLite database, safe while serve runs, checked
// (integrity_check) and counted; on PostgreSQL a refusal with the pg_dump line to use instead.
import { Command } from 'commander';
import { action, type Context } from '../run.js';
import { backupSqlite, type BackupReport } from '../../db/backup.js';

interface BackupOptions {
  force?: boolean;
}

export function backupCommand(): Command {
  return new Command('backup')
    .description('copy the SQLite database to FILE while serve runs (SQLite online backup), then check the copy')
    .argument('<file>', 'where the copy goes (refused when it exists, unless --force)')
    .option('--force', 'replace FILE when it exists')
    .addHelpText(
      'after',
      '\nThe copy is written beside FILE and renamed into place once PRAGMA integrity_check says ok;\n' +
        'then the counts of cases and comments in it are printed. Attachment contents are files in the\n' +
        'blob folder (they never change once written): copy that folder too. On PostgreSQL: use pg_dump.',
    )
    .action(action(runBackup, printBackup));
}

async function runBackup(ctx: Context, opts: BackupOptions, args: string[]): Promise<BackupReport> {
  return backupSqlite(ctx.db.location, args[0] as string, ctx.db.blobs.localDir, opts.force === true);
}

function printBackup(r: BackupReport): void {
  console.log(`backup written: ${r.file} (${r.bytes} bytes)`);
  console.log(`integrity_check: ${r.integrity}`);
  console.log(`cases: ${r.cases}, comments: ${r.comments}`);
  console.log(`attachment contents are not in it: copy ${r.blobDir} too (e.g. rsync -a ${r.blobDir}/ BACKUP-BLOBS/)`);
}
