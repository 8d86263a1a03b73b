// The commit of inbound messages (src/db/commit.ts) on the engine under test: a message whose work
// fails leaves nothing of itself and takes nothing of the messages committed beside it. SQLite's
// messages that arrive together share a transaction, each in its own savepoint; PostgreSQL's each
// have a transaction of their own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommitter } from '../../src/db/client.js';
import { createGroups } from '../../src/db/commit.js';
import type { Engine, Tx } from '../../src/db/engine.js';
import { tempStore, type TempStore } from '../helpers/seed.js';
import { onPostgres } from '../helpers/testDb.js';

let store: TempStore;
beforeAll(async () => {
  store = await tempStore();
});
afterAll(async () => store.cleanup());

/** The store's database, counting the transactions the committer opens. */
function counted(): { db: Pick<Engine, 'dialect' | 'transaction'>; transactions: () => number } {
  let n = 0;
  return {
    db: {
      dialect: store.db.dialect,
      transaction: (work, mode) => {
        n += 1;
        return store.db.transaction(work, mode);
      },
    },
    transactions: () => n,
  };
}

/** A message's work: writes an account named `name` (what a reply writes is rows like it). */
const account = (name: string) => (tx: Tx) => tx.insert('INSERT INTO accounts (name, created_at) VALUES (?, ?)', [name, 1_795_638_493_271]);

const names = async (prefix: string): Promise<string[]> =>
  store.db.transaction(async (tx) => (await tx.all<{ name: string }>('SELECT name FROM accounts WHERE name LIKE ? ORDER BY name', [`${prefix}%`])).map((r) => r.name), 'read');

describe('the commit of inbound messages', () => {
  it('a message whose work fails halfway leaves nothing and undoes none of the messages committed with it', async () => {
    const { db, transactions } = counted();
    const committer = createCommitter(db);
    const failing = async (tx: Tx): Promise<number> => {
      await account('group-b')(tx);
      throw new Error('the stages refused it after its first row');
    };
    const settled = await Promise.allSettled([
      committer.run(account('group-a')),
      committer.run(account('group-c')),
      committer.run(failing),
      committer.run(account('group-d')),
      committer.run(account('group-e')),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({ message: 'the stages refused it after its first row' });
    expect(await names('group-')).toEqual(['group-a', 'group-c', 'group-d', 'group-e']);
    // SQLite: one group, one commit; PostgreSQL: a transaction per message.
    expect(transactions()).toBe(onPostgres ? 5 : 1);
  });
});

describe('when a group goes (createGroups)', () => {
  /** Groups handed to commit, as member lists; each commit settles at once. */
  function recorder(enough?: (connections: number) => number) {
    const sent: number[][] = [];
    const groups = createGroups<number>(async (jobs) => void sent.push(jobs), 60_000, undefined, enough);
    return { sent, groups };
  }
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it('waits while some open connection may still send, and goes at once when every one has a message waiting', async () => {
    const { sent, groups } = recorder();
    const closers = [groups.connection(), groups.connection(), groups.connection(), groups.connection()];
    groups.add(1);
    groups.add(2);
    await turn();
    expect(sent).toEqual([]);
    groups.add(3);
    groups.add(4);
    await turn();
    expect(sent).toEqual([[1, 2, 3, 4]]);
    closers.forEach((close) => close());
  });

  it('with `enough` at half the connections (the store thread), sends each half as it is queued', async () => {
    const { sent, groups } = recorder((connections) => Math.ceil(connections / 2));
    const closers = [groups.connection(), groups.connection(), groups.connection(), groups.connection()];
    groups.add(1);
    await turn();
    expect(sent).toEqual([]);
    groups.add(2);
    await turn();
    groups.add(3);
    groups.add(4);
    await turn();
    expect(sent).toEqual([[1, 2], [3, 4]]);
    closers.forEach((close) => close());
  });
});
