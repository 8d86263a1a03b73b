// The outbox rows of one notification written in a few statements (src/db/outbox.ts
// insertOutboxRows): each id given back is the row of its own recipient, in order, across the
// 40-row statements, on the engine under test. SQLite works the ids out from the last one, which
// holds because outbox.id is AUTOINCREMENT: an id freed by a deleted row is never given again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueNotification } from '../../src/cases/notify.js';
import { DOMAIN, seedCase, tempStore, type TempStore } from '../helpers/seed.js';
import { query } from '../helpers/testDb.js';

let store: TempStore;
beforeAll(async () => {
  store = await tempStore();
});
afterAll(async () => store.cleanup());

describe('the outbox rows of a notification', () => {
  it('gives each recipient the id of its own row, in order, over more rows than one statement takes', async () => {
    const c = await seedCase(store.db);
    const now = Date.now();
    const notify = (recipients: string[]) =>
      store.db.transaction((tx) => enqueueNotification(tx, { caseId: c.id, commentId: null, kind: 'comment', recipients }, DOMAIN, now));
    // A row with the largest id so far, then deleted: AUTOINCREMENT does not give its id again.
    const [gone] = await notify(['gone@customer.example']);
    await store.db.transaction((tx) => tx.run('DELETE FROM outbox WHERE id = ?', [gone]));

    const recipients = Array.from({ length: 45 }, (_, i) => `person${i + 1}@customer.example`);
    const ids = await notify(recipients);

    expect(ids).toHaveLength(45);
    expect(new Set(ids).size).toBe(45);
    expect(ids).not.toContain(gone);
    const rows = await query<{ id: number; recipient: string }>(store.db, `SELECT id, recipient FROM outbox WHERE case_id = ? ORDER BY id`, [c.id]);
    const byId = new Map(rows.map((r) => [Number(r.id), r.recipient]));
    expect(ids.map((id) => byId.get(id))).toEqual(recipients);
  });
});
