import { describe, expect, it } from 'vitest';
import { ISO_TIME, useTestDb } from '../helpers/cli.js';

describe('casegate account', () => {
  const t = useTestDb();

  it('creates an account and prints it with its id as JSON', async () => {
    const r = await t().run('account', 'create', '  Acme   Ltd ', '--json');
    expect(r.code).toBe(0);
    const account = r.json();
    expect(account).toEqual({ id: 1, name: 'Acme Ltd', contacts: 0, createdAt: expect.stringMatching(ISO_TIME) });
  });

  it('takes --json before the sub-command too', async () => {
    const r = await t().run('--json', 'account', 'create', 'Globex');
    expect(r.json()).toMatchObject({ id: 1, name: 'Globex' });
  });

  it('prints key: value lines without --json', async () => {
    const r = await t().run('account', 'create', 'Acme Ltd');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^id:\s+1$/m);
    expect(r.stdout).toMatch(/^name:\s+Acme Ltd$/m);
  });

  it('lists accounts in id order with their number of contacts', async () => {
    await t().run('account', 'create', 'Acme Ltd');
    await t().run('account', 'create', 'Globex');
    await t().run('contact', 'create', '--email', 'bob@acme.example', '--first', 'Bob', '--last', 'Baker', '--account', '1');
    const r = await t().run('account', 'list', '--json');
    expect(r.code).toBe(0);
    expect(r.json()).toEqual([
      { id: 1, name: 'Acme Ltd', contacts: 1, createdAt: expect.stringMatching(ISO_TIME) },
      { id: 2, name: 'Globex', contacts: 0, createdAt: expect.stringMatching(ISO_TIME) },
    ]);
    const table = await t().run('account', 'list');
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+CONTACTS/);
    expect(table.stdout).toContain('Globex');
  });

  it('lists an empty array when there are no accounts', async () => {
    expect((await t().run('account', 'list', '--json')).json()).toEqual([]);
  });

  it('refuses a name that exists already, ignoring letter case, and writes nothing', async () => {
    await t().run('account', 'create', 'Acme Ltd');
    const r = await t().refused(['account', 'create', 'ACME LTD'], /account "Acme Ltd" already exists \(id 1\)/);
    expect(r.stderr).toMatch(/use that id/);
  });

  it('refuses an empty name', async () => {
    await t().refused(['account', 'create', '   '], /an account needs a name/);
  });

  it('refuses a missing name with the usage error of commander', async () => {
    await t().refused(['account', 'create'], /missing required argument 'name'/);
  });

  it('explains itself in --help with an example', async () => {
    const r = await t().run('account', 'create', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('casegate account create "Acme Ltd"');
    expect((await t().run('account', '--help')).stdout).toContain('Examples:');
  });
});
