// Permissions on cases (issue 14): `user create|update --can read,create,edit`, and `--as USER`
// checked by every case command, with a one-line refusal naming the missing permission.
import { describe, expect, it } from 'vitest';
import { okJson as ok, refusedJson as refused, templateDb, useTestDb } from '../helpers/cli.js';

/**
 * Users all@ (every permission), reader@ (read), maker@ (read,create); contact ann@ and case
 * 00001001 for ann — made once with the CLI, copied per test.
 */
const seed = templateDb(async (t) => {
  await ok(t, 'user', 'create', '--email', 'all@support.example', '--name', 'All Rights');
  await ok(t, 'user', 'create', '--email', 'reader@support.example', '--name', 'Rea Der', '--can', 'read');
  await ok(t, 'user', 'create', '--email', 'maker@support.example', '--name', 'Ma Ker', '--can', 'create,READ');
  await ok(t, 'contact', 'create', '--email', 'ann@acme.example', '--first', 'Ann', '--last', 'Archer');
  await ok(t, 'case', 'create', '--subject', 'Printer jammed', '--contact', 'ann@acme.example');
});

describe('user permissions: --can, all by default', () => {
  const t = useTestDb();

  it('gives a new user every permission unless --can says otherwise, and lists them', async () => {
    await seed(t());
    const users = await ok(t(), 'user', 'list');
    expect(users.map((u: { email: string; can: string[] }) => [u.email, u.can])).toEqual([
      ['all@support.example', ['read', 'create', 'edit']],
      ['reader@support.example', ['read']],
      ['maker@support.example', ['read', 'create']],
    ]);
  });

  it('changes the permissions of a user with "user update --can"', async () => {
    await seed(t());
    expect(await ok(t(), 'user', 'update', 'READER@support.example', '--can', 'read,edit')).toMatchObject({ email: 'reader@support.example', can: ['read', 'edit'] });
    await ok(t(), 'case', 'close', '00001001', '--as', 'reader@support.example');
    expect((await t().run('user', 'list')).stdout).toMatch(/reader@support\.example +Rea Der +read,edit /);
  });

  it('refuses a word that is not a permission, naming it', async () => {
    await seed(t());
    await refused(t(), ['user', 'create', '--email', 'x@support.example', '--name', 'X', '--can', 'read,delete'], /--can "delete" is not a permission; give a comma-separated list of read, create, edit/);
    await refused(t(), ['user', 'update', 'reader@support.example', '--can', 'admin'], /--can "admin" is not a permission/);
  });

  it('refuses "user update" of an unknown user and one with nothing to change', async () => {
    await seed(t());
    await refused(t(), ['user', 'update', 'nobody@support.example', '--can', 'read'], /user nobody@support\.example is not a user; create it/);
    await refused(t(), ['user', 'update', 'reader@support.example'], /nothing to change; give --can/);
  });
});

describe('--as USER: each case command checks the permission it needs', () => {
  const t = useTestDb();

  it('lets a user with the permission act', async () => {
    await seed(t());
    expect((await ok(t(), 'case', 'show', '00001001', '--as', 'reader@support.example')).number).toBe('00001001');
    expect(await ok(t(), 'case', 'list', '--as', 'reader@support.example')).toHaveLength(1);
    expect((await ok(t(), 'case', 'create', '--subject', 'Toner', '--as', 'maker@support.example')).number).toBe('00001002');
    await ok(t(), 'comment', 'add', '00001001', '--as', 'all@support.example', '--body', 'On it.');
  });

  it('refuses to create a case as a user without create, naming the permission and how to give it', async () => {
    await seed(t());
    await refused(
      t(),
      ['case', 'create', '--subject', 'Toner', '--as', 'reader@support.example'],
      /user reader@support\.example may not create cases: it lacks the "create" permission; give it with "casegate user update reader@support\.example --can read,create"/,
    );
  });

  it('refuses to change a case as a user without edit: close, reopen, link and unlink the contact, comment', async () => {
    await seed(t());
    const as = ['--as', 'maker@support.example'];
    await refused(t(), ['case', 'close', '00001001', ...as], /user maker@support\.example may not edit case 00001001: it lacks the "edit" permission/);
    await refused(t(), ['case', 'reopen', '00001001', ...as], /lacks the "edit" permission/);
    await refused(t(), ['case', 'unlink-contact', '00001001', ...as], /lacks the "edit" permission/);
    await refused(t(), ['case', 'link-contact', '00001001', 'ann@acme.example', ...as], /lacks the "edit" permission/);
    await refused(t(), ['case', 'update', '00001001', '--asset', '1', ...as], /user maker@support\.example may not edit case 00001001: it lacks the "edit" permission/);
    await refused(t(), ['comment', 'add', '00001001', '--body', 'hi', ...as], /user maker@support\.example may not comment on case 00001001: it lacks the "edit" permission/);
  });

  it('refuses to show or list cases as a user without read', async () => {
    await seed(t());
    await ok(t(), 'user', 'update', 'maker@support.example', '--can', 'create');
    await refused(t(), ['case', 'show', '00001001', '--as', 'maker@support.example'], /may not view cases: it lacks the "read" permission; give it with "casegate user update maker@support\.example --can read,create"/);
    await refused(t(), ['case', 'list', '--as', 'maker@support.example'], /lacks the "read" permission/);
    await refused(t(), ['case', 'clone', '00001001', '--as', 'maker@support.example'], /may not view cases: it lacks the "read" permission/);
  });

  it('refuses --as naming no user', async () => {
    await seed(t());
    await refused(t(), ['case', 'show', '00001001', '--as', 'ann@acme.example'], /acting user \(--as\) ann@acme\.example is not a user; create it/);
  });
});
