import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ISO_TIME, useTestDb } from '../helpers/cli.js';
import { queryAt } from '../helpers/testDb.js';

describe('casegate apikey', () => {
  const t = useTestDb();

  it('create prints the key once, with all permissions by default, and keeps only its SHA-256', async () => {
    const r = await t().run('apikey', 'create', 'care-escalation', '--json');
    expect(r.code).toBe(0);
    const created = r.json();
    expect(created).toEqual({
      id: 1,
      name: 'care-escalation',
      prefix: created.key.slice(0, 11),
      permissions: ['read', 'create', 'edit'],
      createdAt: expect.stringMatching(ISO_TIME),
      revokedAt: null,
      key: expect.stringMatching(/^cgk_[A-Za-z0-9_-]{43}$/),
    });
    const rows = await queryAt(t().db, 'SELECT * FROM api_keys');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.key_hash).toBe(createHash('sha256').update(created.key).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(created.key);
  });

  it('create --can takes a subset; list never shows the key; revoke marks it and a second revoke is refused', async () => {
    const key = (await t().run('apikey', 'create', 'reader', '--can', 'read', '--json')).json().key as string;
    const list = await t().run('apikey', 'list', '--json');
    expect(list.json()).toEqual([expect.objectContaining({ id: 1, name: 'reader', permissions: ['read'], revokedAt: null })]);
    expect(list.stdout).not.toContain(key);
    const revoked = await t().run('apikey', 'revoke', '1', '--json');
    expect(revoked.json()).toEqual(expect.objectContaining({ id: 1, revokedAt: expect.stringMatching(ISO_TIME) }));
    await t().refused(['apikey', 'revoke', '1'], /already revoked/);
    await t().refused(['apikey', 'revoke', '9'], /no API key with id 9/);
  });

  it('refuses an unknown permission and writes nothing', async () => {
    await t().refused(['apikey', 'create', 'x', '--can', 'read,delete'], /--can "read,delete" must be .* \(not delete\)/);
  });

  it('prints the key on its own line for people, after a sentence that says it is shown once', async () => {
    const r = await t().run('apikey', 'create', 'ops');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/shown only now/);
    expect(lines[1]).toMatch(/^cgk_/);
  });
});
