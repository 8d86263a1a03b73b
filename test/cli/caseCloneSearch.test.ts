// `casegate case clone NUMBER | search TEXT` (issue 14).
import { describe, expect, it } from 'vitest';
import { okJson as ok, refusedJson as refused, templateDb, useTestDb } from '../helpers/cli.js';

/**
 * Account Acme (1) with contact ann (1) and asset SN-1; user agent@ (all) and reader@ (read);
 * case 00001001 "Printer jammed" for ann with asset SN-1, priority High, origin Phone, a
 * collaborator and a comment; case 00001002 "Toner low" without contact — made once with the CLI.
 */
const seed = templateDb(async (t) => {
  await ok(t, 'account', 'create', 'Acme Ltd');
  await ok(t, 'contact', 'create', '--email', 'ann@acme.example', '--first', 'Ann', '--last', 'Archer', '--account', '1');
  await ok(t, 'user', 'create', '--email', 'agent@support.example', '--name', 'Agent Smith');
  await ok(t, 'user', 'create', '--email', 'reader@support.example', '--name', 'Rea Der', '--can', 'read');
  await ok(t, 'asset', 'create', '--name', 'Printer', '--serial', 'SN-1', '--contact', 'ann@acme.example');
  await ok(t, 'case', 'create', '--subject', 'Printer jammed', '--description', 'Paper everywhere', '--contact', 'ann@acme.example', '--asset', 'SN-1', '--priority', 'High', '--origin', 'Phone');
  await ok(t, 'collaborator', 'add', '00001001', 'bob@acme.example');
  await ok(t, 'comment', 'add', '00001001', '--as', 'agent@support.example', '--body', 'On it.');
  await ok(t, 'case', 'create', '--subject', 'Toner low', '--description', 'Needs 100% black');
});

describe('case clone: a new case with the same contact, account, asset, subject and description', () => {
  const t = useTestDb();

  it('copies contact, account, asset, subject, description, priority and origin, but not comments or collaborators', async () => {
    await seed(t());
    const c = await ok(t(), 'case', 'clone', '00001001');
    expect(c).toMatchObject({
      number: '00001003',
      subject: 'Printer jammed',
      description: 'Paper everywhere',
      status: 'New',
      priority: 'High',
      origin: 'Phone',
      account: 1,
      contact: { email: 'ann@acme.example' },
      asset: { serial: 'SN-1' },
      collaborators: [],
      comments: [],
    });
    expect((await ok(t(), 'case', 'show', '00001001')).collaborators).toHaveLength(1);
  });

  it('clones as a user with read and create; refuses one without create, and an unknown case', async () => {
    await seed(t());
    expect((await ok(t(), 'case', 'clone', '00001002', '--as', 'agent@support.example')).subject).toBe('Toner low');
    await refused(t(), ['case', 'clone', '00001001', '--as', 'reader@support.example'], /user reader@support\.example may not create cases: it lacks the "create" permission/);
    await refused(t(), ['case', 'clone', '00009999'], /no case 00009999; list cases/);
  });
});

describe('case search: by subject, description, contact or account', () => {
  const t = useTestDb();
  const numbers = (rows: Array<{ number: string }>) => rows.map((r) => r.number);

  it('finds cases by any of them, letter case ignored', async () => {
    await seed(t());
    expect(numbers(await ok(t(), 'case', 'search', 'JAMMED'))).toEqual(['00001001']);
    expect(numbers(await ok(t(), 'case', 'search', 'paper'))).toEqual(['00001001']);
    expect(numbers(await ok(t(), 'case', 'search', 'ann archer'))).toEqual(['00001001']);
    expect(numbers(await ok(t(), 'case', 'search', 'ann@acme'))).toEqual(['00001001']);
    expect(numbers(await ok(t(), 'case', 'search', 'acme ltd'))).toEqual(['00001001']);
    expect(numbers(await ok(t(), 'case', 'search', 'e'))).toEqual(['00001001', '00001002']);
  });

  it('takes % and _ as themselves', async () => {
    await seed(t());
    expect(numbers(await ok(t(), 'case', 'search', '100%'))).toEqual(['00001002']);
    expect(numbers(await ok(t(), 'case', 'search', '_'))).toEqual([]);
  });

  it('refuses an empty search and a user without read', async () => {
    await seed(t());
    await ok(t(), 'user', 'update', 'reader@support.example', '--can', 'create');
    await refused(t(), ['case', 'search', ' '], /the search text is empty; give some text/);
    await refused(t(), ['case', 'search', 'printer', '--as', 'reader@support.example'], /may not view cases: it lacks the "read" permission/);
  });
});
