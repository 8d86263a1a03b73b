// `casegate collaborator add|remove|list` against the real binary and a throwaway SQLite file (SPEC §2.7).
import { describe, expect, it } from 'vitest';
import { ISO_TIME, templateDb, useTestDb, type TestDb, okJson as ok, refusedJson as refused } from '../helpers/cli.js';
import { queryAt } from '../helpers/testDb.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function query(t: TestDb, sql: string, ...params: unknown[]): Promise<Json[]> {
  return queryAt(t.db, sql, params);
}

/**
 * Accounts Acme (1) and Globex (2); user agent@support.example; Acme contacts ann (the case
 * contact), hal (help admin), bob, ina (help admin, inactive), old (inactive); Globex contact gus
 * (help admin); case 00001001 for ann. Made once with the CLI, copied per test.
 */
const seed = templateDb(async (t) => {
  await ok(t, 'account', 'create', 'Acme');
  await ok(t, 'account', 'create', 'Globex');
  await ok(t, 'user', 'create', '--email', 'agent@support.example', '--name', 'Agent Smith');
  const contact = (email: string, first: string, account: string, ...more: string[]) =>
    ok(t, 'contact', 'create', '--email', email, '--first', first, '--last', 'Example', '--account', account, ...more);
  await contact('ann@acme.example', 'Ann', '1');
  await contact('hal@acme.example', 'Hal', '1', '--help-admin');
  await contact('bob@acme.example', 'Bob', '1');
  await contact('ina@acme.example', 'Ina', '1', '--help-admin');
  await contact('old@acme.example', 'Old', '1');
  await contact('gus@globex.example', 'Gus', '2', '--help-admin');
  // No command deactivates a contact yet.
  await queryAt(t.db, `UPDATE contacts SET active = FALSE WHERE email IN ('ina@acme.example', 'old@acme.example')`);
  await ok(t, 'case', 'create', '--subject', 'Printer jammed', '--contact', 'ann@acme.example');
});

const history = async (t: TestDb): Promise<Json[]> => (await ok(t, 'outbox', 'list')).filter((r: Json) => r.kind === 'history');

describe('casegate collaborator add', () => {
  const t = useTestDb();

  it('adds any address as the operator and prints it with its id', async () => {
    await seed(t());
    const added = await ok(t(), 'collaborator', 'add', '00001001', 'carol@elsewhere.example');
    expect(added).toEqual({
      id: 1,
      case: '00001001',
      email: 'carol@elsewhere.example',
      activeContact: false,
      addedBy: 'operator',
      createdAt: expect.stringMatching(ISO_TIME),
    });
    expect((await ok(t(), 'case', 'show', '00001001')).collaborators).toEqual([{ email: 'carol@elsewhere.example', activeContact: false }]);
  });

  it('queues one pending history email for the new collaborator', async () => {
    await seed(t());
    await ok(t(), 'collaborator', 'add', '00001001', 'carol@elsewhere.example');
    expect(await history(t())).toEqual([
      expect.objectContaining({ case: '00001001', recipient: 'carol@elsewhere.example', kind: 'history', status: 'pending' }),
    ]);
  });

  it('makes the history email cover the last public comment, not a later internal one', async () => {
    await seed(t());
    await ok(t(), 'comment', 'add', '00001001', '--as', 'agent@support.example', '--body', 'first');
    await ok(t(), 'comment', 'add', '00001001', '--as', 'agent@support.example', '--body', 'second');
    await ok(t(), 'comment', 'add', '00001001', '--as', 'agent@support.example', '--body', 'note', '--internal');
    await ok(t(), 'collaborator', 'add', '00001001', 'carol@elsewhere.example');
    const rows = await query(t(), `SELECT comment_id AS "commentId" FROM outbox WHERE kind = 'history'`);
    expect(rows).toEqual([{ commentId: 2 }]);
  });

  it('says whether each address is an active contact of the case\'s account', async () => {
    await seed(t());
    expect((await ok(t(), 'collaborator', 'add', '00001001', 'BOB@acme.example')).activeContact).toBe(true);
    expect((await ok(t(), 'collaborator', 'add', '00001001', 'old@acme.example')).activeContact).toBe(false);
    expect((await ok(t(), 'collaborator', 'add', '00001001', 'gus@globex.example')).activeContact).toBe(false);
    expect((await ok(t(), 'collaborator', 'add', '00001001', 'carol@elsewhere.example')).activeContact).toBe(false);
    const list = await ok(t(), 'collaborator', 'list', '00001001');
    expect(list.map((c: Json) => [c.email, c.activeContact])).toEqual([
      ['BOB@acme.example', true],
      ['old@acme.example', false],
      ['gus@globex.example', false],
      ['carol@elsewhere.example', false],
    ]);
    expect(list[0]).toEqual({
      id: 1,
      case: '00001001',
      email: 'BOB@acme.example',
      activeContact: true,
      addedBy: 'operator',
      createdAt: expect.stringMatching(ISO_TIME),
    });
  });

  it('accepts the 20th collaborator and refuses the 21st, writing nothing', async () => {
    await seed(t());
    for (let i = 1; i <= 20; i++) await ok(t(), 'collaborator', 'add', '00001001', `c${i}@elsewhere.example`);
    expect(await ok(t(), 'collaborator', 'list', '00001001')).toHaveLength(20);
    await refused(t(), ['collaborator', 'add', '00001001', 'c21@elsewhere.example'], /case 00001001 already has 20 collaborators/);
  }, 120_000);

  it('refuses the case contact as its own collaborator, in any letter case', async () => {
    await seed(t());
    await refused(t(), ['collaborator', 'add', '00001001', 'Ann@ACME.example'], /is the contact of case 00001001/);
    await refused(t(), ['collaborator', 'add', '00001001', 'ann@acme.example', '--as', 'ann@acme.example'], /is the contact of case 00001001/);
  });

  it('refuses an address that is a collaborator already, in any letter case', async () => {
    await seed(t());
    await ok(t(), 'collaborator', 'add', '00001001', 'carol@elsewhere.example');
    await refused(t(), ['collaborator', 'add', '00001001', 'CAROL@elsewhere.example'], /already a collaborator of case 00001001/);
  });

  it('lets the case contact add someone', async () => {
    await seed(t());
    expect(await ok(t(), 'collaborator', 'add', '00001001', 'carol@elsewhere.example', '--as', 'ANN@acme.example')).toMatchObject({
      email: 'carol@elsewhere.example',
      addedBy: 'ANN@acme.example',
    });
  });

  it('lets a help admin of the case\'s account add someone', async () => {
    await seed(t());
    expect(await ok(t(), 'collaborator', 'add', '00001001', 'carol@elsewhere.example', '--as', 'hal@acme.example')).toMatchObject({
      addedBy: 'hal@acme.example',
    });
  });

  it('lets a help admin of another account add itself, and nobody else', async () => {
    await seed(t());
    expect(await ok(t(), 'collaborator', 'add', '00001001', 'gus@globex.example', '--as', 'gus@globex.example')).toMatchObject({
      email: 'gus@globex.example',
    });
    await refused(t(), ['collaborator', 'add', '00001001', 'carol@elsewhere.example', '--as', 'gus@globex.example'], /gus@globex\.example may not change the collaborators of case 00001001/);
  });

  it('refuses an inactive help admin, a collaborator, a plain contact and an outsider, writing nothing', async () => {
    await seed(t());
    await ok(t(), 'collaborator', 'add', '00001001', 'carol@elsewhere.example');
    const may = /may not change the collaborators of case 00001001/;
    await refused(t(), ['collaborator', 'add', '00001001', 'dan@elsewhere.example', '--as', 'ina@acme.example'], may);
    await refused(t(), ['collaborator', 'add', '00001001', 'ina@acme.example', '--as', 'ina@acme.example'], may);
    await refused(t(), ['collaborator', 'add', '00001001', 'dan@elsewhere.example', '--as', 'carol@elsewhere.example'], may);
    await refused(t(), ['collaborator', 'add', '00001001', 'dan@elsewhere.example', '--as', 'bob@acme.example'], may);
    await refused(t(), ['collaborator', 'add', '00001001', 'mallory@evil.example', '--as', 'mallory@evil.example'], /mallory@evil\.example may not change/);
  });

  it('lets a user with the edit permission act for the support team, and names it as who added', async () => {
    await seed(t());
    expect(await ok(t(), 'collaborator', 'add', '00001001', 'carol@elsewhere.example', '--as', 'agent@support.example')).toMatchObject({
      email: 'carol@elsewhere.example',
      addedBy: 'agent@support.example',
    });
    await ok(t(), 'user', 'create', '--email', 'reader@support.example', '--name', 'Rea Der', '--can', 'read');
    await refused(t(), ['collaborator', 'add', '00001001', 'dan@elsewhere.example', '--as', 'reader@support.example'], /lacks the "edit" permission/);
  });

  it('refuses an address made of an encoded word, as collaborator or as --as, saying why', async () => {
    await seed(t());
    await refused(t(), ['collaborator', 'add', '00001001', '=?utf-8?q?ann?=@evil.example'], /is not an email address \(an encoded word \(=\?…\?=\) is a display name's encoding, not an address\)/);
    await refused(t(), ['collaborator', 'add', '00001001', 'carol@elsewhere.example', '--as', '=?utf-8?b?YW5u?=@acme.example'], /--as .* is not an email address \(an encoded word/);
    expect(await ok(t(), 'collaborator', 'list', '00001001')).toEqual([]);
    expect(await history(t())).toEqual([]);
  });

  it('refuses a malformed address, a malformed --as and an unknown case', async () => {
    await seed(t());
    await refused(t(), ['collaborator', 'add', '00001001', 'not-an-email'], /"not-an-email" is not an email address/);
    await refused(t(), ['collaborator', 'add', '00001001', 'carol@elsewhere.example', '--as', 'ann'], /--as "ann" is not an email address/);
    await refused(t(), ['collaborator', 'add', '00009999', 'carol@elsewhere.example'], /no case 00009999/);
    await refused(t(), ['collaborator', 'add', 'abc', 'carol@elsewhere.example'], /"abc" is not a case number/);
  });
});

describe('casegate collaborator remove', () => {
  const t = useTestDb();

  it('removes a collaborator as the operator, the contact or a help admin of the account', async () => {
    await seed(t());
    for (const email of ['c1@elsewhere.example', 'c2@elsewhere.example', 'c3@elsewhere.example']) {
      await ok(t(), 'collaborator', 'add', '00001001', email);
    }
    expect(await ok(t(), 'collaborator', 'remove', '00001001', 'C1@elsewhere.example')).toMatchObject({ case: '00001001', removed: true });
    await ok(t(), 'collaborator', 'remove', '00001001', 'c2@elsewhere.example', '--as', 'ann@acme.example');
    await ok(t(), 'collaborator', 'remove', '00001001', 'c3@elsewhere.example', '--as', 'hal@acme.example');
    expect(await ok(t(), 'collaborator', 'list', '00001001')).toEqual([]);
  });

  it('lets a help admin of another account remove itself, and nobody else', async () => {
    await seed(t());
    await ok(t(), 'collaborator', 'add', '00001001', 'gus@globex.example');
    await ok(t(), 'collaborator', 'add', '00001001', 'carol@elsewhere.example');
    await refused(t(), ['collaborator', 'remove', '00001001', 'carol@elsewhere.example', '--as', 'gus@globex.example'], /may not change/);
    await ok(t(), 'collaborator', 'remove', '00001001', 'gus@globex.example', '--as', 'gus@globex.example');
    expect((await ok(t(), 'collaborator', 'list', '00001001')).map((c: Json) => c.email)).toEqual(['carol@elsewhere.example']);
  });

  it('refuses a collaborator removing another one, or itself, and an outsider', async () => {
    await seed(t());
    await ok(t(), 'collaborator', 'add', '00001001', 'carol@elsewhere.example');
    await ok(t(), 'collaborator', 'add', '00001001', 'dan@elsewhere.example');
    await refused(t(), ['collaborator', 'remove', '00001001', 'dan@elsewhere.example', '--as', 'carol@elsewhere.example'], /may not change/);
    await refused(t(), ['collaborator', 'remove', '00001001', 'carol@elsewhere.example', '--as', 'carol@elsewhere.example'], /may not change/);
    await refused(t(), ['collaborator', 'remove', '00001001', 'dan@elsewhere.example', '--as', 'mallory@evil.example'], /may not change/);
  });

  it('refuses an address that is not a collaborator and an unknown case', async () => {
    await seed(t());
    await refused(t(), ['collaborator', 'remove', '00001001', 'carol@elsewhere.example'], /carol@elsewhere\.example is not a collaborator of case 00001001/);
    await refused(t(), ['collaborator', 'remove', '00009999', 'carol@elsewhere.example'], /no case 00009999/);
  });
});

describe('casegate collaborator list', () => {
  const t = useTestDb();

  it('lists an empty array for a case without collaborators, and refuses an unknown case', async () => {
    await seed(t());
    expect(await ok(t(), 'collaborator', 'list', '00001001')).toEqual([]);
    await refused(t(), ['collaborator', 'list', '00009999'], /no case 00009999/);
  });

  it('prints a table without --json', async () => {
    await seed(t());
    await ok(t(), 'collaborator', 'add', '00001001', 'bob@acme.example');
    const r = await t().run('collaborator', 'list', '00001001');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^EMAIL\s+ACTIVECONTACT\s+ADDEDBY/);
    expect(r.stdout).toMatch(/bob@acme\.example\s+yes\s+operator/);
  });
});
