// Where the migrations of each dialect are: drizzle-kit output under migrations/<dialect>/, found by
// walking up from this file (works from src/ and dist/).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dialect } from './engine.js';

/** Folder holding `migrations/` (one folder per dialect, sqlite/ and postgres/). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'migrations', 'sqlite', 'meta', '_journal.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the migrations/ folder of casegate');
    dir = parent;
  }
}

/** The drizzle-kit output of one dialect: `migrations/sqlite` or `migrations/postgres`. */
export function migrationsFolder(dialect: Dialect): string {
  return path.join(packageRoot(), 'migrations', dialect);
}

/** The `when` of the newest migration of `dialect` (drizzle-kit's journal), read once per process. */
const newest = new Map<Dialect, number>();
export function newestMigration(dialect: Dialect): number {
  let when = newest.get(dialect);
  if (when === undefined) {
    const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder(dialect), 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ when: number }> };
    when = Math.max(0, ...journal.entries.map((e) => e.when));
    newest.set(dialect, when);
  }
  return when;
}

/**
 * True when the database, whose newest applied migration is `applied` (drizzle's
 * `max(created_at)`, null for none or no table), lacks a migration of `dialect`: the same test
 * drizzle's migrator makes, done first so that a command on an up-to-date database never loads it.
 */
export function migrationsPending(dialect: Dialect, applied: number | string | null | undefined): boolean {
  return applied === null || applied === undefined || Number(applied) < newestMigration(dialect);
}
