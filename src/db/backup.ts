// `casegate backup`: a consistent copy of a SQLite database while other processes write to it,
// through SQLite's online backup API (better-sqlite3's backup(), in one step: a snapshot under a
// read transaction, which in WAL mode never blocks a writer), written beside the destination and
// renamed into place only after `PRAGMA integrity_check` of the copy says ok. PostgreSQL is backed
// up with its own tool; the refusal names the pg_dump line.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { conflict, invalid, unavailable } from '../errors.js';
import { isPostgresUrl } from './client.js';

export interface BackupReport {
  /** The copy, as written. */
  file: string;
  bytes: number;
  /** `ok`, as PRAGMA integrity_check of the copy said it. */
  integrity: string;
  cases: number;
  comments: number;
  /** The folder of attachment contents, which the copy does not hold. */
  blobDir: string;
}

/**
 * Copies the SQLite database `source` to `dest` (refused when `dest` exists, unless `replace`),
 * checks the copy and counts its cases and comments.
 */
export async function backupSqlite(source: string, dest: string, blobDir: string, replace = false): Promise<BackupReport> {
  if (isPostgresUrl(source)) throw invalid(pgDumpHint(source, dest));
  const target = path.resolve(dest);
  if (target === path.resolve(source)) throw invalid(`the backup ${dest} is the database itself; give another file`);
  if (fs.existsSync(target) && !replace) throw conflict(`${dest} already exists; remove it, give another file, or add --force to replace it`);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.partial-${process.pid}`);
  const from = new Database(source, { readonly: true, fileMustExist: true });
  try {
    // One step for every page: a snapshot of one moment, never restarted by a concurrent writer.
    await from.backup(temp, { progress: () => 0x7fffffff });
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw unavailable(`cannot write the backup ${dest}: ${(err as Error).message}; check that its folder exists and has room`);
  } finally {
    from.close();
  }
  let report: Omit<BackupReport, 'file' | 'bytes' | 'blobDir'>;
  try {
    report = checkCopy(temp);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  fs.renameSync(temp, target);
  return { file: target, bytes: fs.statSync(target).size, blobDir: path.resolve(blobDir), ...report };
}

/** Opens the copy on its own: integrity_check must say ok; then the counts of cases and comments. */
function checkCopy(file: string): Omit<BackupReport, 'file' | 'bytes' | 'blobDir'> {
  const copy = new Database(file, { fileMustExist: true });
  try {
    // The copy keeps the source's WAL mode; a single file is what a backup should be.
    copy.pragma('journal_mode = DELETE');
    const integrity = (copy.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
    if (integrity !== 'ok') throw unavailable(`the copy failed its integrity check (${integrity.slice(0, 500)}); nothing was kept, run backup again`);
    const count = (table: string): number => (copy.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { integrity, cases: count('cases'), comments: count('comments') };
  } finally {
    copy.close();
  }
}

/** The refusal on PostgreSQL: the pg_dump line to run instead, with the password left out. */
export function pgDumpHint(url: string, dest: string): string {
  let safe = url;
  try {
    const u = new URL(url);
    u.password = '';
    safe = u.toString();
  } catch {
    safe = 'postgres://USER@HOST:PORT/DB';
  }
  return (
    `backup copies SQLite databases only; back PostgreSQL up with its own tool (consistent while casegate runs): ` +
    `pg_dump --format=custom --file=${dest} '${safe}' (the password from PGPASSWORD or ~/.pgpass); restore with pg_restore`
  );
}
