// Migrations keep what a database already holds: a database made before issue 14 (migrations up
// to 0002) gets the new tables and columns, and its users keep every permission.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client.js';
import { migrationsFolder } from '../../src/db/migrations.js';
import { userByEmail } from '../../src/db/users.js';
import { tempDir } from '../helpers/tempDir.js';
import { inTx, onPostgres } from '../helpers/testDb.js';

const MIGRATIONS = migrationsFolder('sqlite');
const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ tag: string; when: number }> };

/** A database as drizzle's migrator leaves it after the first `count` migrations. */
function databaseAt(file: string, count: number): void {
  const sqlite = new Database(file);
  sqlite.exec('CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
  for (const entry of journal.entries.slice(0, count)) {
    for (const statement of fs.readFileSync(path.join(MIGRATIONS, `${entry.tag}.sql`), 'utf8').split('--> statement-breakpoint')) sqlite.exec(statement);
    sqlite.prepare('INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)').run(entry.tag, entry.when);
  }
  sqlite.close();
}

// SQLite only: these are migrations of SQLite files made before PostgreSQL existed (its migrations start at 0000).
describe.skipIf(onPostgres)('migrating a database made before permissions', () => {
  let cleanup = (): void => {};
  afterEach(() => cleanup());

  it('gives its users every permission on cases', async () => {
    const dir = tempDir('migrate');
    cleanup = dir.cleanup;
    const file = path.join(dir.dir, 'old.db');
    const before = journal.entries.findIndex((e) => e.tag.startsWith('0003_'));
    expect(before).toBe(3);
    databaseAt(file, before);
    const old = new Database(file);
    old.prepare("INSERT INTO users (email, email_lower, name, created_at) VALUES ('sam@support.example', 'sam@support.example', 'Sam', 1)").run();
    expect(old.prepare('PRAGMA table_info(users)').all().map((c) => (c as { name: string }).name)).not.toContain('can');
    old.close();

    const db = await openDb(file);
    try {
      expect((await inTx(db, userByEmail, 'sam@support.example'))?.can).toEqual(['read', 'create', 'edit']);
    } finally {
      await db.close();
    }
  });
});
