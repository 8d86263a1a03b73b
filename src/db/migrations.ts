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
