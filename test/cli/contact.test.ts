import { describe, expect, it } from 'vitest';
import { ISO_TIME, useTestDb, type TestDb } from '../helpers/cli.js';

const create = (t: TestDb, email: string, first: string, last: string, ...more: string[]) =>
  t.run('contact', 'create', '--email', email, '--first', first, '--last', last, ...more, '--json');

describe('casegate contact', () => {
  const t = useTestDb();

  it('creates a contact with every option and prints every field as JSON', async () => {
    await t().run('account', 'create', 'Acme Ltd');
    const r = await create(t(), 'Bob@Acme.example', 'Bob', 'Baker', '--account', '1', '--username', 'bbaker',
      '--handle', '@bob', '--external-id', 'CRM-42', '--division', 'EMEA', '--help-admin', '--not-eligible');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.json()).toEqual({
      id: 1,
      email: 'Bob@Acme.example',
      firstName: 'Bob',
      lastName: 'Baker',
      account: 1,
      username: 'bbaker',
      handle: '@bob',
      externalId: 'CRM-42',
      division: 'EMEA',
      helpAdmin: true,
      eligible: false,
      active: true,
      createdAt: expect.stringMatching(ISO_TIME),
    });
  });

  it('creates an eligible contact without account, help admin or optional fields by default', async () => {
    const c = (await create(t(), 'ann@example.com', 'Ann', 'Archer')).json();
    expect(c).toMatchObject({ account: null, username: null, handle: null, externalId: null, division: null });
    expect(c).toMatchObject({ helpAdmin: false, eligible: true, active: true });
  });

  it('creates a contact whose email another contact has, with a warning on stderr', async () => {
    await create(t(), 'bob@acme.example', 'Bob', 'Baker');
    const r = await create(t(), 'BOB@acme.example', 'Bobby', 'Baker');
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ id: 2, email: 'BOB@acme.example' });
    expect(r.stderr).toMatch(/^casegate: warning: contact 1 already has email BOB@acme\.example; .*not be linked/);
    expect((await t().run('contact', 'list', '--json')).json()).toHaveLength(2);
  });

  it('refuses an unknown account, a non-numeric account and a malformed email, writing nothing', async () => {
    await t().refused(['contact', 'create', '--email', 'a@b.com', '--first', 'A', '--last', 'B', '--account', '7'],
      /no account with id 7; list accounts with "casegate account list"/);
    await t().refused(['contact', 'create', '--email', 'a@b.com', '--first', 'A', '--last', 'B', '--account', 'Acme'],
      /account "Acme" is not an account id/);
    await t().refused(['contact', 'create', '--email', 'a@', '--first', 'A', '--last', 'B'], /contact email "a@" is not an email address/);
  });

  it('refuses a missing --last and blank names', async () => {
    await t().refused(['contact', 'create', '--email', 'a@b.com', '--first', 'A'], /required option '--last <name>' not specified/);
    await t().refused(['contact', 'create', '--email', 'a@b.com', '--first', ' ', '--last', ''], /a contact needs a name/);
  });

  it('lists contacts as a JSON array and as a table', async () => {
    await create(t(), 'ann@example.com', 'Ann', 'Archer');
    await create(t(), 'bob@acme.example', 'Bob', 'Baker');
    const rows = (await t().run('contact', 'list', '--json')).json();
    expect(rows.map((c: { id: number }) => c.id)).toEqual([1, 2]);
    const table = await t().run('contact', 'list');
    expect(table.stdout).toMatch(/^ID\s+EMAIL\s+FIRSTNAME\s+LASTNAME/);
    expect(table.stdout).toContain('bob@acme.example');
  });

  describe('search', () => {
    const seed = async () => {
      await create(t(), 'ann.archer@example.com', 'Ann', 'Archer', '--username', 'aarch');
      await create(t(), 'bob@acme.example', 'Bob', 'Baker', '--handle', '@BobTheBuilder');
      await create(t(), 'cy@globex.example', 'Cy', 'Müller', '--external-id', 'SF-0042');
    };
    const ids = async (q: string) => (await t().run('contact', 'search', q, '--json')).json().map((c: { id: number }) => c.id);

    it('matches any part of email, names, username, handle or external id, ignoring letter case', async () => {
      await seed();
      expect(await ids('ACME')).toEqual([2]);
      expect(await ids('ann ARCH')).toEqual([1]);
      expect(await ids('baker')).toEqual([2]);
      expect(await ids('aarch')).toEqual([1]);
      expect(await ids('thebuilder')).toEqual([2]);
      expect(await ids('sf-00')).toEqual([3]);
      expect(await ids('MÜLLER')).toEqual([3]);
      expect(await ids('example')).toEqual([1, 2, 3]);
      expect(await ids('nobody')).toEqual([]);
    });

    it('refuses an empty query', async () => {
      await t().refused(['contact', 'search', ' '], /the search text is empty/);
    });
  });

  describe('show', () => {
    it('shows a contact by id and by email in any letter case', async () => {
      await create(t(), 'bob@acme.example', 'Bob', 'Baker');
      expect((await t().run('contact', 'show', '1', '--json')).json()).toMatchObject({ id: 1, firstName: 'Bob' });
      expect((await t().run('contact', 'show', 'BOB@ACME.example', '--json')).json()).toMatchObject({ id: 1 });
      const human = await t().run('contact', 'show', '1');
      expect(human.stdout).toMatch(/^email:\s+bob@acme\.example$/m);
    });

    it('lists the contacts sharing an email and asks for an id', async () => {
      await create(t(), 'bob@acme.example', 'Bob', 'Baker');
      await create(t(), 'bob@acme.example', 'Robert', 'Baker');
      const r = await t().refused(['contact', 'show', 'bob@acme.example'], /2 contacts have email bob@acme\.example/);
      expect(r.stderr).toMatch(/id 1 Bob Baker.*id 2 Robert Baker.*give the contact id/);
    });

    it('says how to find a contact that does not exist', async () => {
      await t().refused(['contact', 'show', '9'], /no contact with id 9; list contacts/);
      await t().refused(['contact', 'show', 'x@y.com'], /no contact with email x@y\.com; find one with "casegate contact search/);
    });
  });

  it('explains itself in --help with an example', async () => {
    const r = await t().run('contact', 'create', '--help');
    for (const flag of ['--account <id>', '--username', '--handle', '--external-id', '--division', '--help-admin', '--not-eligible']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('Example:\n  casegate contact create --email');
  });
});
