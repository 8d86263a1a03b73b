// What an SQLite database file holds by itself, without its WAL: what checkpoints have copied there.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** Rows of `table` in a copy of the database file alone (0 when the table is not there yet); the copy goes in `scratch`. */
export function rowsInMainFile(file: string, table: string, scratch: string): number {
  const copy = path.join(scratch, `main-only-${process.hrtime.bigint()}.db`);
  fs.copyFileSync(file, copy);
  const db = new Database(copy, { readonly: true });
  try {
    const exists = db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(table);
    return exists === undefined ? 0 : (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
    fs.rmSync(copy, { force: true });
  }
}
