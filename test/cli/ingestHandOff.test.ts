// Which `casegate ingest` command lines go to a running gateway (src/cli/ingestHandOff.ts), and the
// dot-stuffing of the message on its way there. Pure: the hand-off itself is test/e2e/pipeHandOff.
import { describe, expect, it } from 'vitest';
import { handOffRequest, stuffed } from '../../src/cli/ingestHandOff.js';

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

describe('dot-stuffing the message', () => {
  const all = (chunks: string[]): string => {
    let atLineStart = true;
    return chunks
      .map((c) => {
        const out = stuffed(Buffer.from(c, 'latin1'), atLineStart).toString('latin1');
        atLineStart = c.endsWith('\n');
        return out;
      })
      .join('');
  };

  it('doubles a dot that starts a line, after CRLF or a bare LF, also at a chunk boundary', () => {
    expect(all(['.first\r\nmid.dle\r\n.\r\n..two\n.bare'])).toBe('..first\r\nmid.dle\r\n..\r\n...two\n..bare');
    expect(all(['Subject: x\r\n', '.starts the next chunk\r\nend'])).toBe('Subject: x\r\n..starts the next chunk\r\nend');
    expect(all(['no newline at the end.', '.continued'])).toBe('no newline at the end..continued');
  });

  it('leaves a chunk without such a dot as it is (the same buffer)', () => {
    const chunk = Buffer.from('Hello\r\nworld\r\n');
    expect(stuffed(chunk, true)).toBe(chunk);
  });
});
