// The pure rules of IMAP mailboxes: their URL, where a message goes after its answer, the retry
// delays, and how a failure is explained.
import { describe, expect, it } from 'vitest';
import { answers } from '../../src/domain/answers.js';
import { dispositionOf, explainMailboxFailure, isLoopbackHost, parseMailboxUrl, retryDelaySeconds, type MailboxAddress } from '../../src/domain/mailbox.js';

describe('a mailbox URL', () => {
  it('is written one way: port always, INBOX by default, a user with an @ kept as is', () => {
    expect(parseMailboxUrl('imaps://support@example.com@IMAP.example.com')).toEqual({
      url: 'imaps://support@example.com@imap.example.com:993/INBOX',
      tls: 'implicit',
      host: 'imap.example.com',
      port: 993,
      user: 'support@example.com',
      folder: 'INBOX',
    });
    expect(parseMailboxUrl('imap://help%40example.com@[::1]:1143/Support/Inbound')).toMatchObject({
      url: 'imap://help@example.com@[::1]:1143/Support/Inbound',
      tls: 'starttls',
      host: '::1',
      folder: 'Support/Inbound',
    });
    expect(parseMailboxUrl('imaps://a@h/inbox')).toMatchObject({ folder: 'INBOX' });
  });

  it('refuses a password, no user, another scheme, a bad port and our own folders, saying what to write', () => {
    expect(parseMailboxUrl('imaps://a:secret@h/INBOX')).toMatch(/holds a password; leave it out of the URL and give it with --password-file/);
    expect(parseMailboxUrl('imaps://h/INBOX')).toMatch(/names no user/);
    expect(parseMailboxUrl('pop3://a@h/')).toMatch(/is not an IMAP mailbox URL/);
    expect(parseMailboxUrl('imaps://a@h:70000/')).toMatch(/port 70000; a port is from 1 to 65535/);
    expect(parseMailboxUrl('imaps://a@h/casegate/done')).toMatch(/a folder casegate moves taken mail into/);
    expect(parseMailboxUrl('imaps://a@h%zz/')).toMatch(/no valid host/);
  });

  it('a loopback host is the only one whose certificate may go unchecked', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopbackHost)).toBe(true);
    expect(['imap.example.com', '10.0.0.1', '128.0.0.1'].some(isLoopbackHost)).toBe(false);
  });
});

describe('where a message goes after its answer', () => {
  it('taken (stored, duplicate, dropped on purpose) to done; refused for good to refused; a temporary failure stays', () => {
    expect(dispositionOf(answers.openedCase('00001001'))).toBe('done');
    expect(dispositionOf(answers.duplicate(7))).toBe('done');
    expect(dispositionOf(answers.automatic('Auto-Submitted: auto-replied'))).toBe('done');
    expect(dispositionOf(answers.malformed('no header'))).toBe('refused');
    expect(dispositionOf(answers.lowDisk())).toBe('keep');
    expect(dispositionOf(answers.notStored('database is locked'))).toBe('keep');
  });
});

describe('retry delays', () => {
  it('follow the schedule, the last entry repeating', () => {
    const s = [5, 30, 120];
    expect([1, 2, 3, 4, 50].map((n) => retryDelaySeconds(s, n))).toEqual([5, 30, 120, 120, 120]);
  });
});

describe('a failure explained', () => {
  const m = parseMailboxUrl('imaps://support@imap.example.com/INBOX') as MailboxAddress;
  it('names the cause and what to check', () => {
    expect(explainMailboxFailure({ authenticationFailed: true, responseText: 'Authentication failed.', message: 'x' }, m)).toBe(
      'the server refused the login of support (Authentication failed.); check the password file or the token command of this mailbox',
    );
    expect(explainMailboxFailure({ code: 'ECONNREFUSED', message: 'x' }, m)).toMatch(/^nothing answers on imap\.example\.com:993/);
    expect(explainMailboxFailure({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'x' }, m)).toMatch(/certificate of imap\.example\.com is not trusted/);
    expect(explainMailboxFailure({ code: 'ENOTFOUND', message: 'x' }, m)).toMatch(/does not resolve/);
    expect(explainMailboxFailure({ message: 'odd' }, m)).toBe('odd');
  });
});
