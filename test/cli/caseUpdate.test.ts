// `casegate case update --owner --priority --status` and `case assign` against the real binary: the
// values a case's record type allows, the closing time, the case history, permissions, no email.
import { describe, expect, it } from 'vitest';
import { templateDb, useTestDb, okJson as ok, refusedJson as refused, type TestDb } from '../helpers/cli.js';
import { queryAt } from '../helpers/testDb.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const outboxRows = async (t: TestDb): Promise<number> => Number((await queryAt<{ n: number }>(t.db, 'SELECT count(*) AS n FROM outbox'))[0]?.n);

/**
 * Users agent@ (all permissions), bo@ and reader@ (read only); contact ann; record type Hardware
 * (statuses New, Working, Closed; priorities High, Low). Case 00001001 without record type, owned
 * by agent@; case 00001002 of Hardware, priority High, no owner.
 */
const seed = templateDb(async (t) => {
  await ok(t, 'user', 'create', '--email', 'agent@support.example', '--name', 'Agent Smith');
  await ok(t, 'user', 'create', '--email', 'bo@support.example', '--name', 'Bo Berg');
  await ok(t, 'user', 'create', '--email', 'reader@support.example', '--name', 'Rea Der', '--can', 'read');
  await ok(t, 'contact', 'create', '--email', 'ann@acme.example', '--first', 'Ann', '--last', 'Archer');
  await ok(t, 'recordtype', 'create', 'Hardware', '--statuses', 'New,Working,Closed', '--priorities', 'High,Low');
  await ok(t, 'case', 'create', '--subject', 'Printer jammed', '--contact', 'ann@acme.example', '--owner', 'agent@support.example');
  await ok(t, 'case', 'create', '--subject', 'Broken fan', '--contact', 'ann@acme.example', '--record-type', 'Hardware', '--priority', 'High', '--no-assign');
});

describe('case update --owner --priority --status, case assign', () => {
  const t = useTestDb();

  it('changes all three at once, each a history entry naming who and when, sends no email; Closed sets the closing time, another status clears it', async () => {
    await seed(t());
    const before = await outboxRows(t());
    const c: Json = await ok(t(), 'case', 'update', '00001001', '--owner', 'BO@support.example', '--priority', 'high', '--status', 'escalated');
    expect(c).toMatchObject({ number: '00001001', owner: 'bo@support.example', priority: 'High', status: 'Escalated', closedAt: null });
    expect(c.history).toEqual([
      { field: 'owner', from: 'agent@support.example', to: 'bo@support.example', by: 'operator', at: c.updatedAt },
      { field: 'priority', from: 'Medium', to: 'High', by: 'operator', at: c.updatedAt },
      { field: 'status', from: 'New', to: 'Escalated', by: 'operator', at: c.updatedAt },
    ]);
    // The same priority again changes nothing; Closed sets the closing time.
    const closed: Json = await ok(t(), 'case', 'update', '00001001', '--priority', 'High', '--status', 'Closed');
    expect(closed).toMatchObject({ status: 'Closed', closedAt: closed.updatedAt });
    const reopened: Json = await ok(t(), 'case', 'update', '00001001', '--status', 'New');
    expect(reopened).toMatchObject({ status: 'New', closedAt: null, closedWhenCreated: false });
    expect(reopened.history.slice(2).map((h: Json) => `${h.field} ${h.from}>${h.to}`)).toEqual(['status New>Escalated', 'status Escalated>Closed', 'status Closed>New']);
    expect(await outboxRows(t())).toBe(before);
  });

  it("takes only the statuses and priorities of the case's record type and names them; the owner must be a user", async () => {
    await seed(t());
    await refused(t(), ['case', 'update', '00001002', '--status', 'Escalated'], /status "Escalated" is not one a case of record type "Hardware" can have; give one of New, Working, Closed$/);
    await refused(t(), ['case', 'update', '00001002', '--priority', 'Medium', '--status', 'Working'], /priority "Medium" is not one a case of record type "Hardware" can have; give one of High, Low$/);
    await refused(t(), ['case', 'update', '00001001', '--owner', 'ann@acme.example', '--status', 'Working'], /owner ann@acme\.example is not a user; create it/);
  });

  it('assign gives the case to a user, in the history under the acting user (who needs edit); close and reopen are entries too', async () => {
    await seed(t());
    const c: Json = await ok(t(), 'case', 'assign', '00001002', 'bo@support.example', '--as', 'agent@support.example');
    expect(c.owner).toBe('bo@support.example');
    expect(c.history).toEqual([{ field: 'owner', from: null, to: 'bo@support.example', by: 'agent@support.example', at: c.updatedAt }]);
    await refused(t(), ['case', 'assign', '00001002', 'agent@support.example', '--as', 'reader@support.example'], /user reader@support\.example may not edit case 00001002: it lacks the "edit" permission/);
    await ok(t(), 'case', 'close', '00001002');
    const shown = await t().run('case', 'reopen', '00001002', '--as', 'bo@support.example');
    expect(shown.stdout).toBe('case 00001002 is Working\n');
    const text = await t().run('case', 'show', '00001002');
    expect(text.stdout).toMatch(/^history: +\S+ owner \(none\) -> bo@support\.example by agent@support\.example\nhistory: +\S+ status New -> Closed by operator\nhistory: +\S+ status Closed -> Working by bo@support\.example$/m);
  });
});
