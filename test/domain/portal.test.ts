// The Help portal's pure rules (SPEC §11): who sees a case, the tokens and their signatures, and
// what a download's headers may hold.
import { describe, expect, it } from 'vitest';
import {
  contentDisposition,
  csrfMatches,
  csrfToken,
  downloadType,
  hashToken,
  newPortalToken,
  portalAccess,
  signInLinkToken,
  unsubscribeIdOf,
  unsubscribeMatches,
  unsubscribeToken,
  type Viewer,
} from '../../src/domain/portal.js';

const KEY = 'k'.repeat(43);

describe('who sees a case in the portal', () => {
  const ann: Viewer = { email: 'ann@acme.example', contacts: [{ id: 1, accountId: 10, helpAdmin: false }] };
  const carol: Viewer = { email: 'carol@acme.example', contacts: [{ id: 3, accountId: 10, helpAdmin: true }] };
  const bob: Viewer = { email: 'bob@acme.example', contacts: [{ id: 2, accountId: 10, helpAdmin: false }] };

  it('lets in the case contact and a help admin of its account, nobody else', () => {
    expect(portalAccess(ann, { contactId: 1, accountId: 10 })).toBe('contact');
    expect(portalAccess(carol, { contactId: 1, accountId: 10 })).toBe('help-admin');
    // Bob is a collaborator or a colleague: no matter, he follows the case by mail.
    expect(portalAccess(bob, { contactId: 1, accountId: 10 })).toBe('forbidden');
    expect(portalAccess(carol, { contactId: 9, accountId: 11 })).toBe('forbidden');
    expect(portalAccess(carol, { contactId: null, accountId: null })).toBe('forbidden');
  });
});

describe('tokens', () => {
  it('are 256 random bits, stored as their SHA-256', () => {
    const a = newPortalToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newPortalToken()).not.toBe(a);
    expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(a)).not.toContain(a);
  });

  it('make a sign-in link only with the key', () => {
    expect(signInLinkToken(KEY, 'row1')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signInLinkToken(KEY, 'row1')).not.toBe(signInLinkToken('other-key', 'row1'));
    expect(signInLinkToken(KEY, 'row1')).not.toBe(signInLinkToken(KEY, 'row2'));
  });

  it('bind a CSRF token to its cookie', () => {
    const t = csrfToken(KEY, 'cookie-a');
    expect(csrfMatches(KEY, 'cookie-a', t)).toBe(true);
    expect(csrfMatches(KEY, 'cookie-b', t)).toBe(false);
    expect(csrfMatches(KEY, 'cookie-a', undefined)).toBe(false);
    expect(csrfMatches(KEY, '', csrfToken(KEY, ''))).toBe(false);
  });

  it('sign an unsubscribe link for one collaborator row, case and address', () => {
    const target = { collaboratorId: 7, caseId: 3, email: 'Bob@Acme.example' };
    const token = unsubscribeToken(KEY, target);
    expect(unsubscribeIdOf(token)).toBe(7);
    expect(unsubscribeMatches(KEY, token, { ...target, email: 'bob@acme.example' })).toBe(true);
    expect(unsubscribeMatches(KEY, token, { ...target, collaboratorId: 8 })).toBe(false);
    expect(unsubscribeMatches(KEY, token, { ...target, caseId: 4 })).toBe(false);
    expect(unsubscribeMatches(KEY, token, { ...target, email: 'eve@acme.example' })).toBe(false);
    expect(unsubscribeMatches('another-key', token, target)).toBe(false);
    expect(unsubscribeIdOf('7.short')).toBeNull();
    expect(unsubscribeIdOf(`x${token}`)).toBeNull();
  });
});

describe('downloads', () => {
  it('name the file without a header break, a quote or a path, with the UTF-8 name too', () => {
    const d = contentDisposition('../scan "log";\r\nSet-Cookie: x.txt');
    expect(d).not.toMatch(/[\r\n]/);
    expect(d).toMatch(/^attachment; filename="[^"]*"; filename\*=UTF-8''[^\s"]+$/);
    expect(contentDisposition('Überweisung.pdf')).toBe(`attachment; filename="_berweisung.pdf"; filename*=UTF-8''%C3%9Cberweisung.pdf`);
    expect(contentDisposition('')).toContain('filename="attachment"');
  });

  it('keep a plain stored type, and serve anything else as octet-stream', () => {
    expect(downloadType('image/PNG')).toBe('image/png');
    expect(downloadType('text/html\r\nX-Evil: 1')).toBe('application/octet-stream');
    expect(downloadType('text/plain; charset=utf-8')).toBe('application/octet-stream');
    expect(downloadType('a'.repeat(200) + '/b')).toBe('application/octet-stream');
  });
});
