// Permissions on cases (issue 14): read, create, edit; parsed as typed, checked per command.
import { describe, expect, it } from 'vitest';
import { formatPermissions, missingPermission, parsePermissions, type Actor } from '../../src/domain/permissions.js';

describe('permission lists: read, create and edit, as typed', () => {
  it('reads a list in any letter case and order, each once, in the order read, create, edit', () => {
    expect(parsePermissions('Edit, read,READ')).toEqual({ can: ['read', 'edit'] });
  });

  it('reads an empty list as no permission at all', () => {
    expect(parsePermissions('')).toEqual({ can: [] });
  });

  it('names every word that is not a permission', () => {
    expect(parsePermissions('read,delete,admin')).toEqual({ unknown: ['delete', 'admin'] });
  });

  it('writes the stored form in a fixed order', () => {
    expect(formatPermissions(['edit', 'read'])).toBe('read,edit');
  });
});

describe('permission check: an actor needs the permission a command names', () => {
  const reader: Actor = { kind: 'user', name: 'ann@support.example', can: ['read'] };

  it('lets an actor do what it has the permission for', () => {
    expect(missingPermission(reader, 'read')).toBeNull();
  });

  it('names the permission the actor lacks', () => {
    expect(missingPermission(reader, 'create')).toBe('create');
    expect(missingPermission(reader, 'edit')).toBe('edit');
  });

  it('checks an API key the same way as a user', () => {
    expect(missingPermission({ kind: 'api key', name: 'ci', can: ['read', 'create'] }, 'create')).toBeNull();
  });
});
