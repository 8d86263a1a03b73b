// A mailed reply reads its case's participants once: the facts read them (is the sender one of
// them?) and the comment's notifications go to the same read, in the same transaction. What the
// notifications reach is what a second read would give: every participant but the author.
import { afterEach, describe, expect, it } from 'vitest';
import type { Db, Tx } from '../../src/db/client.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, BOB, addCollaborator, closeCase } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { query } from '../helpers/testDb.js';

let gw: Gateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const CAROL = 'carol@partner.example';

/** Counts the SQL texts the gateway's write transactions run that match `pattern`, from now on. */
function countWrites(db: Db, pattern: RegExp): { count: number } {
  const seen = { count: 0 };
  const original = db.transaction.bind(db);
  const watched = (tx: Tx): Tx => {
    const note = (sql: string): void => void (pattern.test(sql) && seen.count++);
    return {
      dialect: tx.dialect,
      all: (sql, params) => (note(sql), tx.all(sql, params)),
      get: (sql, params) => (note(sql), tx.get(sql, params)),
      run: (sql, params) => (note(sql), tx.run(sql, params)),
      insert: (sql, params) => (note(sql), tx.insert(sql, params)),
      savepoint: (work, keep) => tx.savepoint((inner) => work(watched(inner)), keep),
    };
  };
  db.transaction = ((work, mode = 'write') => original((tx) => work(mode === 'write' ? watched(tx) : tx), mode)) as Db['transaction'];
  return seen;
}

const notified = async (g: Gateway): Promise<string[]> =>
  (await query<{ recipient: string }>(g.db, `SELECT recipient FROM outbox WHERE kind = 'comment' ORDER BY recipient`)).map((r) => r.recipient);

describe('a mailed reply reads its participants once', () => {
  it('the contact replies: one read of the collaborators, and the two collaborators are told', async () => {
    gw = await startGateway();
    await addCollaborator(gw.db, gw.config, gw.caseNumber, CAROL);
    const collaborators = countWrites(gw.db, /FROM collaborators/);
    const r = await gw.send(mail({ from: ANN, to: gw.caseAddress }), { from: ANN, to: [gw.caseAddress] });
    expect(r.code).toBe(250);
    expect(collaborators.count).toBe(1);
    expect(await notified(gw)).toEqual([BOB, CAROL]);
  });

  it('a collaborator replies to a closed case, which reopens: still one read, and the contact and the other collaborator are told', async () => {
    gw = await startGateway();
    await addCollaborator(gw.db, gw.config, gw.caseNumber, CAROL);
    await closeCase(gw.db, gw.config, gw.caseNumber);
    const collaborators = countWrites(gw.db, /FROM collaborators/);
    const r = await gw.send(mail({ from: `Bob Baker <${BOB}>`, to: gw.caseAddress }), { from: BOB, to: [gw.caseAddress] });
    expect(r.code).toBe(250);
    expect(r.response).toMatch(/reopened/i);
    expect(collaborators.count).toBe(1);
    expect(await notified(gw)).toEqual([ANN, CAROL]);
  });
});
