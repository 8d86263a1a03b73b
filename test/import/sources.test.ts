// Reading historic mail: an mbox indexed as a stream (From_ lines, mboxrd's >From quoting undone,
// LF and CRLF alike), a maildir's cur/ and new/, and oldest first by Date.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { indexMaildir, indexMbox, oldestFirst, openMessage, unquoteFrom, type StoredMessage } from '../../src/import/sources.js';
import { tempDir } from '../helpers/tempDir.js';

const FIXTURES = path.resolve('fixtures/import');

async function text(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

const subjects = async (list: readonly StoredMessage[]) => Promise.all(list.map(async (m) => /^Subject: (.*)$/m.exec(await text(openMessage(m)))?.[1]?.replace(/\r$/, '')));

describe('an mbox file', () => {
  it('is split at its From_ lines, with the envelope sender and date of each message', async () => {
    const list = await indexMbox(path.join(FIXTURES, 'support.mbox'));
    expect(list.map((m) => m.mailFrom)).toEqual(['carol@customer.example', 'carol@customer.example', 'dave@partner.example', 'erin@legacy.example', '']);
    expect(list[0]?.date).toBe(Date.parse('2026-03-03T10:15:00Z'));
    expect(await subjects(list)).toEqual([
      'Re: Invoice 1042 shows the wrong VAT rate',
      'Invoice 1042 shows the wrong VAT rate',
      'Scanned delivery note attached',
      'Login fails after the update',
      'Undelivered Mail Returned to Sender',
    ]);
  });

  it('is imported oldest first: the reply that comes first in the file goes after its first message', async () => {
    const list = oldestFirst(await indexMbox(path.join(FIXTURES, 'support.mbox')));
    expect((await subjects(list)).slice(0, 2)).toEqual(['Invoice 1042 shows the wrong VAT rate', 'Re: Invoice 1042 shows the wrong VAT rate']);
  });

  it('has its >From quoting undone by one level (mboxrd), whatever the chunk boundaries', async () => {
    const list = await indexMbox(path.join(FIXTURES, 'support.mbox'));
    const body = await text(openMessage(list[1] as StoredMessage));
    expect(body).toContain('\nFrom now on, please send invoices');
    expect(body).toContain('\n>From the old address nothing arrives.');
    // The same bytes one at a time through the unquoting.
    const raw = 'a\n>From x\n>>From y\n>Fro\n';
    const bytes = Readable.from([...Buffer.from(raw)].map((b) => Buffer.from([b])));
    expect(await text(bytes.pipe(unquoteFrom()))).toBe('a\nFrom x\n>From y\n>Fro\n');
  });

  it('reads a CRLF file as the same messages', async () => {
    const { dir, cleanup } = tempDir('mbox');
    try {
      const crlf = path.join(dir, 'crlf.mbox');
      fs.writeFileSync(crlf, fs.readFileSync(path.join(FIXTURES, 'support.mbox'), 'utf8').replace(/\n/g, '\r\n'));
      const lf = await indexMbox(path.join(FIXTURES, 'support.mbox'));
      const list = await indexMbox(crlf);
      expect(list.map((m) => [m.mailFrom, m.date])).toEqual(lf.map((m) => [m.mailFrom, m.date]));
      expect(await text(openMessage(list[1] as StoredMessage))).toContain('\r\nFrom now on, please send invoices');
    } finally {
      cleanup();
    }
  });

  it('keeps only a few bytes of a line longer than a read chunk while indexing', async () => {
    const { dir, cleanup } = tempDir('mbox');
    try {
      const file = path.join(dir, 'long.mbox');
      const long = 'x'.repeat(3 * 1024 * 1024);
      fs.writeFileSync(file, `From a@b.example Mon Mar  2 09:00:00 2026\nSubject: one\n\n${long}\nFrom c@d.example Mon Mar  2 10:00:00 2026\nSubject: two\n\nok\n`);
      const list = await indexMbox(file);
      expect(list.map((m) => m.mailFrom)).toEqual(['a@b.example', 'c@d.example']);
      expect((await text(openMessage(list[0] as StoredMessage))).length).toBe(long.length + 'Subject: one\n\n\n'.length);
    } finally {
      cleanup();
    }
  });
});

describe('a maildir', () => {
  it('lists cur/ and new/, with the Return-Path as envelope sender', () => {
    const list = indexMaildir(path.join(FIXTURES, 'maildir'));
    expect(list.map((m) => m.label)).toEqual(['cur/1772442000.M1P1.mail:2,S', 'cur/1772532900.M2P1.mail:2,S', 'new/1772697600.M3P1.mail']);
    expect(list.map((m) => m.mailFrom)).toEqual(['carol@customer.example', 'carol@customer.example', 'erin@legacy.example']);
  });
});
