import { describe, expect, it } from 'vitest';
import { ISO_TIME, useTestDb } from '../helpers/cli.js';

describe('casegate rule', () => {
  const t = useTestDb();
  const ANN = 'ann@support.example.com';
  const BO = 'bo@support.example.com';
  const seedUsers = async () => {
    await t().run('user', 'create', '--email', ANN, '--name', 'Ann Archer');
    await t().run('user', 'create', '--email', BO, '--name', 'Bo Berg');
  };
  const add = (...args: string[]) => t().run('rule', 'add', ...args, '--json');
  const listed = async () =>
    (await t().run('rule', 'list', '--json')).json().map((r: { id: number; order: number }) => [r.order, r.id]);

  it('adds a rule with every criterion and prints it with its id as JSON', async () => {
    await seedUsers();
    await t().run('account', 'create', 'Acme Ltd');
    const r = await add('--owner', 'ANN@support.example.com', '--subject-contains', ' Invoice ', '--from-domain', '@Acme.Example',
      '--priority', 'low', '--account', '1');
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({
      id: 1,
      order: 1,
      owner: ANN,
      subjectContains: 'Invoice',
      fromDomain: 'acme.example',
      priority: 'Low',
      account: 1,
      createdAt: expect.stringMatching(ISO_TIME),
    });
  });

  it('puts a new rule after the last one, and --order N before the rule at N', async () => {
    await seedUsers();
    await add('--owner', ANN, '--subject-contains', 'invoice');
    await add('--owner', BO, '--priority', 'high');
    const first = (await add('--owner', BO, '--from-domain', 'acme.example', '--order', '1')).json();
    expect(first).toMatchObject({ id: 3, order: 1 });
    expect(await listed()).toEqual([[1, 3], [2, 1], [3, 2]]);
    await add('--owner', ANN, '--subject-contains', 'outage', '--order', '9');
    expect((await add('--owner', ANN, '--subject-contains', 'refund')).json()).toMatchObject({ id: 5, order: 10 });
  });

  it('lists rules in the order they are tried, as JSON and as a table', async () => {
    await seedUsers();
    await add('--owner', ANN, '--subject-contains', 'invoice');
    const rows = (await t().run('rule', 'list', '--json')).json();
    expect(rows).toEqual([expect.objectContaining({ id: 1, order: 1, owner: ANN, subjectContains: 'invoice' })]);
    const table = await t().run('rule', 'list');
    expect(table.stdout).toMatch(/^ORDER\s+ID\s+OWNER\s+SUBJECTCONTAINS/);
    expect(table.stdout).toContain('invoice');
  });

  it('refuses a rule without any criterion, writing nothing', async () => {
    await seedUsers();
    await t().refused(['rule', 'add', '--owner', ANN], /a rule needs at least one criterion; give --subject-contains, --from-domain, --priority or --account/);
  });

  it('refuses an owner that is not a user, and a missing --owner', async () => {
    await t().refused(['rule', 'add', '--owner', 'nobody@example.com', '--subject-contains', 'x'],
      /owner nobody@example\.com is not a user; create it with "casegate user create/);
    await t().refused(['rule', 'add', '--subject-contains', 'x'], /required option '--owner <email>' not specified/);
  });

  it('refuses a bad priority, unknown account, bad domain, bad order and empty subject text', async () => {
    await seedUsers();
    await t().refused(['rule', 'add', '--owner', ANN, '--priority', 'p1'], /priority "p1" is not one of High, Medium, Low/);
    await t().refused(['rule', 'add', '--owner', ANN, '--account', '3'], /no account with id 3/);
    await t().refused(['rule', 'add', '--owner', ANN, '--from-domain', 'acme example'], /--from-domain "acme example" is not a domain name/);
    await t().refused(['rule', 'add', '--owner', ANN, '--subject-contains', 'x', '--order', '0'], /--order "0" is not a whole number of 1 or more/);
    await t().refused(['rule', 'add', '--owner', ANN, '--subject-contains', 'x', '--order', 'first'], /--order "first" is not a whole number/);
    await t().refused(['rule', 'add', '--owner', ANN, '--subject-contains', '  '], /--subject-contains is empty/);
  });

  it('removes a rule by id, keeping the order of the others', async () => {
    await seedUsers();
    await add('--owner', ANN, '--subject-contains', 'a');
    await add('--owner', ANN, '--subject-contains', 'b');
    await add('--owner', ANN, '--subject-contains', 'c');
    const r = await t().run('rule', 'remove', '2', '--json');
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ id: 2, subjectContains: 'b' });
    expect(await listed()).toEqual([[1, 1], [3, 3]]);
    expect((await t().run('rule', 'remove', '1')).stdout).toBe(`removed rule 1 (owner ${ANN})\n`);
  });

  it('refuses to remove a rule that does not exist or an id that is not a number', async () => {
    await seedUsers();
    await add('--owner', ANN, '--subject-contains', 'a');
    await t().refused(['rule', 'remove', '7'], /no rule with id 7; list rules with "casegate rule list"/);
    await t().refused(['rule', 'remove', 'abc'], /rule id "abc" is not a whole number/);
  });

  it('explains itself in --help with an example', async () => {
    const r = await t().run('rule', 'add', '--help');
    for (const flag of ['--owner', '--subject-contains', '--from-domain', '--priority', '--account', '--order']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('Example:\n  casegate rule add --owner');
    expect((await t().run('rule', '--help')).stdout).toMatch(/first rule whose every criterion holds/);
  });
});
