// `casegate backup FILE`: a consistent, checked copy of the SQLite database taken by the real
// binary while another process writes to it; the copy opens on its own. On PostgreSQL: a refusal
// naming the pg_dump line, never the password.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createAccount } from '../../src/admin/accounts.js';
import { createContact } from '../../src/admin/contacts.js';
import { newTestDb } from '../helpers/cli.js';
import { ANN, addComment, createCase } from '../helpers/seed.js';
import { onPostgres, openTestDb, queryAt } from '../helpers/testDb.js';

describe.skipIf(onPostgres)('casegate backup on SQLite', () => {
  it('copies the database while comments are being written, checks the copy and prints its counts', async () => {
    const t = await newTestDb();
    try {
      const config = loadConfig({ db: t.db }, { CASEGATE_OUTBOX_DIR: path.join(t.dir, 'outbox') });
      const db = await openTestDb(t.db, t.dir);
      await db.transaction(async (tx) => {
        const acme = await createAccount(tx, 'Acme');
        await createContact(tx, { account: acme.id, email: ANN, firstName: 'Ann', lastName: 'Archer' });
      });
      const c = await createCase(db, config, { subject: 'Printer on floor 3 is jammed', contact: ANN });
      // Write load: one comment (with its notifications) after another until the backup is done.
      let writing = true;
      let written = 0;
      const load = (async () => {
        while (writing) {
          await addComment(db, config, { number: c.number, as: ANN, body: `update ${written}` });
          written++;
          // SQLite answers synchronously: give the event loop a turn (the child's exit, timers).
          await new Promise((r) => setImmediate(r));
        }
      })();
      while (written < 20) await new Promise((r) => setTimeout(r, 5));
      const dest = path.join(t.dir, 'backups', 'casegate.db');
      fs.mkdirSync(path.dirname(dest));
      const r = await t.run('backup', dest);
      writing = false;
      await load;
      await db.close();
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const m = /^cases: 1, comments: (\d+)$/m.exec(r.stdout);
      expect(m, r.stdout).not.toBeNull();
      const copied = Number(m?.[1]);
      // A snapshot of one moment during the load: some comments, not all, and the copy agrees.
      expect(copied).toBeGreaterThanOrEqual(20);
      expect(copied).toBeLessThanOrEqual(written);
      expect(r.stdout).toMatch(/^integrity_check: ok$/m);
      expect(r.stdout).toContain(`attachment contents are not in it: copy ${path.join(t.dir, 'blobs')} too`);
      expect(fs.readdirSync(path.dirname(dest))).toEqual(['casegate.db']);
      expect(await queryAt(dest, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      expect(await queryAt(dest, 'SELECT COUNT(*) AS n FROM comments')).toEqual([{ n: copied }]);
      expect(await queryAt(dest, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'delete' }]);
      // The copy is a casegate database: the CLI reads it.
      const shown = await t.runWith(['--db', dest, 'case', 'show', c.number, '--json'], {});
      expect(shown.json()).toMatchObject({ number: c.number });

      // An existing file is never overwritten by accident.
      const again = await t.run('backup', dest);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/^casegate: .*casegate\.db already exists; remove it, give another file, or add --force to replace it\n$/);
      expect((await t.run('backup', dest, '--force')).code).toBe(0);
    } finally {
      t.cleanup();
    }
  });
});

describe.runIf(onPostgres)('casegate backup on PostgreSQL', () => {
  it('refuses with the pg_dump line to run instead, without the password', async () => {
    const t = await newTestDb();
    try {
      const r = await t.run('backup', path.join(t.dir, 'copy.dump'));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^casegate: backup copies SQLite databases only; .*pg_dump --format=custom --file=\S+copy\.dump 'postgres:\/\/[^:@']+@/);
      const password = new URL(t.db).password;
      if (password !== '') expect(r.stderr).not.toContain(password);
      expect(fs.existsSync(path.join(t.dir, 'copy.dump'))).toBe(false);
    } finally {
      t.cleanup();
    }
  });
});
