import { describe, expect, it } from 'vitest';
import { ISO_TIME, useTestDb } from '../helpers/cli.js';

describe('casegate routing', () => {
  const t = useTestDb();
  const addUser = () => t().run('user', 'create', '--email', 'Ann@Support.example.com', '--name', 'Ann Archer');

  it('adds a routing address with the defaults Medium, Email, no owner, no contacts, notify, no record type', async () => {
    const r = await t().run('routing', 'add', 'Support@Example.com', '--json');
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({
      id: 1,
      address: 'Support@Example.com',
      priority: 'Medium',
      origin: 'Email',
      owner: null,
      createContacts: false,
      notify: true,
      recordType: null,
      acceptFrom: [],
      block: [],
      rateLimit: 0,
      saveHeaders: false,
      autoResponse: null,
      autoResponseIf: null,
      createdAt: expect.stringMatching(ISO_TIME),
    });
  });

  it('takes priority in any letter case, origin, owner, --create-contacts and --no-notify', async () => {
    await addUser();
    const r = await t().run('routing', 'add', 'urgent@example.com', '--priority', 'hIGH', '--origin', 'Web',
      '--owner', 'ann@support.example.com', '--create-contacts', '--no-notify', '--json');
    expect(r.json()).toMatchObject({
      priority: 'High',
      origin: 'Web',
      owner: 'Ann@Support.example.com',
      createContacts: true,
      notify: false,
    });
  });

  it('lists routing addresses as a JSON array and as a table', async () => {
    await t().run('routing', 'add', 'support@example.com');
    await t().run('routing', 'add', 'billing@example.com', '--priority', 'low');
    const rows = (await t().run('routing', 'list', '--json')).json();
    expect(rows.map((r: { address: string; priority: string }) => [r.address, r.priority])).toEqual([
      ['support@example.com', 'Medium'],
      ['billing@example.com', 'Low'],
    ]);
    const table = await t().run('routing', 'list');
    expect(table.stdout).toMatch(/^ID\s+ADDRESS\s+PRIORITY\s+ORIGIN\s+OWNER/);
  });

  it('refuses an address that exists in another letter case, writing nothing', async () => {
    await t().run('routing', 'add', 'support@example.com');
    await t().refused(['routing', 'add', 'SUPPORT@example.com'], /routing address support@example\.com already exists \(id 1\)/);
  });

  it('refuses a priority outside High, Medium, Low and lists the allowed ones', async () => {
    await t().refused(['routing', 'add', 'support@example.com', '--priority', 'urgent'],
      /priority "urgent" is not one of High, Medium, Low/);
  });

  it('refuses an owner that is not a user, and says how to make one', async () => {
    await t().refused(['routing', 'add', 'support@example.com', '--owner', 'nobody@example.com'],
      /owner nobody@example\.com is not a user; create it with "casegate user create --email nobody@example\.com/);
    await t().refused(['routing', 'add', 'support@example.com', '--owner', 'not-an-email'], /owner email "not-an-email" is not an email address/);
  });

  it('refuses a malformed address and one shaped like a case or bounce address', async () => {
    await t().refused(['routing', 'add', 'support'], /routing address "support" is not an email address/);
    const token = 'abcdefghij0123456789klmn';
    await t().refused(['routing', 'add', `case+${token}@cases.localhost`], /has the form of a case or bounce address/);
    await t().refused(['routing', 'add', `bounce+${token}@cases.localhost`], /has the form of a case or bounce address/);
  });

  it('refuses a missing address with the usage error of commander', async () => {
    await t().refused(['routing', 'add'], /missing required argument 'address'/);
  });

  it('removes an address given in any letter case and prints what was removed', async () => {
    await t().run('routing', 'add', 'support@example.com');
    const r = await t().run('routing', 'remove', 'Support@EXAMPLE.com', '--json');
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ id: 1, address: 'support@example.com' });
    expect((await t().run('routing', 'list', '--json')).json()).toEqual([]);
    await t().run('routing', 'add', 'billing@example.com');
    expect((await t().run('routing', 'remove', 'billing@example.com')).stdout).toBe('removed routing address billing@example.com\n');
  });

  it('refuses to remove an address that is not a routing address', async () => {
    await t().run('routing', 'add', 'support@example.com');
    await t().refused(['routing', 'remove', 'sales@example.com'], /sales@example\.com is not a routing address; list them with "casegate routing list"/);
  });

  it('explains itself in --help with an example', async () => {
    const r = await t().run('routing', 'add', '--help');
    for (const flag of ['--priority', '--origin', '--owner', '--create-contacts', '--no-notify']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('Examples:\n  casegate routing add support@example.com');
  });
});
