import { describe, expect, it } from 'vitest';
import { ISO_TIME, useTestDb } from '../helpers/cli.js';

describe('casegate user', () => {
  const t = useTestDb();

  it('creates a user and prints it with its id as JSON', async () => {
    const r = await t().run('user', 'create', '--email', 'Ann@Support.example.com', '--name', 'Ann Archer', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.json()).toEqual({
      id: 1,
      email: 'Ann@Support.example.com',
      name: 'Ann Archer',
      can: ['read', 'create', 'edit'],
      createdAt: expect.stringMatching(ISO_TIME),
    });
  });

  it('lists users as a JSON array and as a table', async () => {
    await t().run('user', 'create', '--email', 'ann@support.example.com', '--name', 'Ann Archer');
    await t().run('user', 'create', '--email', 'bo@support.example.com', '--name', 'Bo Berg');
    const r = await t().run('user', 'list', '--json');
    expect(r.json().map((u: { email: string }) => u.email)).toEqual(['ann@support.example.com', 'bo@support.example.com']);
    const table = await t().run('user', 'list');
    expect(table.stdout).toMatch(/^ID\s+EMAIL\s+NAME/);
    expect(table.stdout).toContain('Bo Berg');
  });

  it('refuses a second user with the same email in another letter case, and writes nothing', async () => {
    await t().run('user', 'create', '--email', 'ann@support.example.com', '--name', 'Ann Archer');
    await t().refused(
      ['user', 'create', '--email', 'ANN@support.example.com', '--name', 'Other Ann'],
      /a user with email ann@support\.example\.com already exists \(id 1\)/,
    );
  });

  it('refuses a malformed email', async () => {
    await t().refused(['user', 'create', '--email', 'ann at example', '--name', 'Ann'], /"ann at example" is not an email address/);
  });

  it('refuses a blank name', async () => {
    await t().refused(['user', 'create', '--email', 'ann@example.com', '--name', ' '], /a user needs a name/);
  });

  it('refuses a missing --name with the usage error of commander', async () => {
    await t().refused(['user', 'create', '--email', 'ann@example.com'], /required option '--name <name>' not specified/);
  });

  it('explains itself in --help with an example', async () => {
    const r = await t().run('user', 'create', '--help');
    expect(r.stdout).toContain('--email <email>');
    expect(r.stdout).toContain('Example:\n  casegate user create --email');
  });
});
