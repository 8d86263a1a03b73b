// Which `casegate ingest` command lines go to a running gateway (src/cli/ingestHandOff.ts), and the
// message as DATA on its way there (CRLF lines, dots doubled). Pure: the hand-off itself is test/e2e/pipeHandOff.
import { describe, expect, it } from 'vitest';
import { handOffRequest, toData } from '../../src/cli/ingestHandOff.js';

describe('the command lines the hand-off takes', () => {
  it("Postfix pipe's argv, with the global --db before the command and the values in one word", () => {
    expect(
      handOffRequest(['--db', '/var/lib/casegate/casegate.db', 'ingest', '--mail-from=', '--client-ip=[192.0.2.10]', '--helo= mx.example.com ', '--rcpt=a@cases.example.com', '--rcpt=b@cases.example.com']),
    ).toEqual({ db: '/var/lib/casegate/casegate.db', config: undefined, rcpt: ['a@cases.example.com', 'b@cases.example.com'], mailFrom: '', clientIp: '192.0.2.10', helo: 'mx.example.com', file: undefined });
  });

  it('the null sender as MAILER-DAEMON or <>, no client as unknown, a message file', () => {
    expect(handOffRequest(['ingest', '--mail-from', 'MAILER-DAEMON', '--client-ip', 'unknown', '--rcpt', 'a@x.example', 'm.eml'])).toMatchObject({ mailFrom: '', clientIp: null, helo: null, file: 'm.eml' });
    expect(handOffRequest(['ingest', '--mail-from=<>', '--rcpt', 'a@x.example'])).toMatchObject({ mailFrom: '' });
  });

  it('anything else is left to the in-process path, which answers as it always did', () => {
    const base = ['ingest', '--mail-from', 'ann@acme.example', '--rcpt', 'a@x.example'];
    expect(handOffRequest(base)).not.toBeNull();
    for (const args of [
      ['ingest', '--rcpt', 'a@x.example'], // no --mail-from: the sender is unknown, SMTP cannot say so
      [...base, '--json'],
      [...base, '--help'],
      [...base, '-h'],
      [...base, '--client-ip', 'mx.example.com'], // not an IP: the in-process path says so
      [...base, '--rcpt', 'A@X.EXAMPLE'], // a repeated recipient: each gets its own answer in-process
      [...base, '--rcpt', '<b@x.example>'],
      [...base, 'a.eml', 'b.eml'],
      [...base, '--rcpt'],
      ['case', 'list'],
      ['--db', 'x.db', 'ingest'],
    ]) {
      expect(handOffRequest(args), args.join(' ')).toBeNull();
    }
  });
});

describe('the message as DATA', () => {
  const all = (chunks: string[]): string => {
    const state = { atLineStart: true, lastCr: false };
    return chunks.map((c) => toData(Buffer.from(c, 'latin1'), state).toString('latin1')).join('');
  };

  it('doubles a dot that starts a line, also at a chunk boundary', () => {
    expect(all(['.first\r\nmid.dle\r\n.\r\n..two\r\n'])).toBe('..first\r\nmid.dle\r\n..\r\n...two\r\n');
    expect(all(['Subject: x\r\n', '.starts the next chunk\r\nend'])).toBe('Subject: x\r\n..starts the next chunk\r\nend');
    expect(all(['no newline at the end.', '.continued'])).toBe('no newline at the end..continued');
  });

  it('ends bare-LF lines with CRLF (a file from a Unix pipe), also when CR and LF are split over chunks', () => {
    expect(all(['From: a@b.example\nSubject: x\n\n.hello\n'])).toBe('From: a@b.example\r\nSubject: x\r\n\r\n..hello\r\n');
    expect(all(['line one\r', '\nline two\n', '\n'])).toBe('line one\r\nline two\r\n\r\n');
  });

  it('leaves a chunk that needs nothing as it is (the same buffer)', () => {
    const chunk = Buffer.from('Hello\r\nworld\r\n');
    expect(toData(chunk, { atLineStart: true, lastCr: false })).toBe(chunk);
  });
});
