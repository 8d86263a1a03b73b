// The parse stage as a stream consumer: large messages are streamed to the blob store, the source is
// always read to its end, and no failure leaves a promise hanging.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobPath } from '../../src/db/blobs.js';
import { HEADER_SECTION_MAX, MalformedMessageError, MessageTooLargeError, ParserLimitError, parseMessage } from '../../src/ingest/parse.js';
import { folderWriter } from '../../src/db/blobsInFolder.js';
import { tempDir } from '../helpers/tempDir.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
const MIB = 1024 * 1024;

let blobDir: string;
let removeBlobDir: () => void;
beforeEach(() => {
  ({ dir: blobDir, cleanup: removeBlobDir } = tempDir('parse'));
});
afterEach(() => removeBlobDir());

const HEAD = [
  'From: Ann Archer <ann@acme.example>',
  'To: support@acme-support.example',
  'Subject: Scan of the jammed printer',
  'Message-ID: <big.1@acme.example>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'The scan is attached.',
  '--b1',
].join('\r\n');

describe('a large message is streamed, not held in memory whole', () => {
  it('stores an 18 MiB attachment (about 25 MiB of message) with the right SHA-256 and size', async () => {
    const chunk = 57 * 1152; // whole base64 lines of 76 characters
    const chunks = Math.ceil((18 * MIB) / chunk);
    const hash = crypto.createHash('sha256');
    let storedWhileReading = 0;
    const tmpBytes = (): number => {
      const tmp = path.join(blobDir, 'tmp');
      if (!fs.existsSync(tmp)) return 0;
      return fs.readdirSync(tmp).reduce((n, f) => n + fs.statSync(path.join(tmp, f)).size, 0);
    };
    async function* message(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${HEAD}\r\nContent-Type: application/octet-stream; name="scan.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\n`);
      for (let i = 0; i < chunks; i++) {
        if (i === chunks - 1) storedWhileReading = tmpBytes();
        const bytes = crypto.randomBytes(chunk);
        hash.update(bytes);
        yield Buffer.from(bytes.toString('base64').replace(/.{76}/g, '$&\r\n'));
      }
      yield Buffer.from('\r\n--b1--\r\n');
    }
    const source = Readable.from(message(), { objectMode: false });
    const msg = await parseMessage(source, { store: folderWriter(blobDir) });

    const sha256 = hash.digest('hex');
    expect(msg.size).toBeGreaterThan(24 * MIB);
    expect(msg.attachments).toEqual([
      { filename: 'scan.bin', contentType: 'application/octet-stream', size: chunks * chunk, sha256, contentId: null, inline: false, spool: null },
    ]);
    expect(fs.statSync(blobPath(blobDir, sha256)).size).toBe(chunks * chunk);
    expect(msg.text).toBe('The scan is attached.');
    // Before the last part of the source was read, most of the attachment was already on disk.
    expect(storedWhileReading).toBeGreaterThan(10 * MIB);
  });
});

describe('two identical attachments in one message', () => {
  it('are two attachments of one stored blob', async () => {
    const part = (name: string): string =>
      `\r\nContent-Type: application/pdf; name="${name}"\r\nContent-Disposition: attachment; filename="${name}"\r\n` +
      `Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJSBzYW1lIGJ5dGVz\r\n--b1`;
    const raw = `${HEAD}${part('a.pdf')}${part('copy of a.pdf')}--\r\n`;
    const msg = await parseMessage(Readable.from([Buffer.from(raw)]), { store: folderWriter(blobDir) });
    expect(msg.attachments.map((a) => a.filename)).toEqual(['a.pdf', 'copy of a.pdf']);
    expect(msg.attachments[0]?.sha256).toBe(msg.attachments[1]?.sha256);
    const shard = msg.attachments[0]?.sha256.slice(0, 2) ?? '';
    expect(fs.readdirSync(path.join(blobDir, shard))).toHaveLength(1);
  });

  it('an attachment without a name gets one from its type', async () => {
    const raw = `${HEAD}\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQ\r\n--b1--\r\n`;
    const msg = await parseMessage(Readable.from([Buffer.from(raw)]), { store: folderWriter(blobDir) });
    expect(msg.attachments).toMatchObject([{ filename: 'attachment-1.jpg', contentType: 'image/jpeg', inline: false }]);
  });
});

describe('the header section', () => {
  it('is kept up to 64 KiB, while header() still reads every header', async () => {
    const filler = Array.from({ length: 2000 }, (_, i) => `X-Filler-${i}: ${'x'.repeat(60)}`).join('\r\n');
    const raw = `${filler}\r\nSubject: after the filler\r\n\r\nbody\r\n`;
    const msg = await parseMessage(Readable.from([Buffer.from(raw)]), { store: folderWriter(blobDir) });
    expect(msg.headerSection.length).toBe(HEADER_SECTION_MAX);
    expect(msg.headerSection.startsWith('X-Filler-0: ')).toBe(true);
    expect(msg.subject).toBe('after the filler');
  });
});

describe('failures end the parse and never hang it', () => {
  it('an error of the source is passed on as it is', async () => {
    async function* broken(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${HEAD}\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n`);
      yield Buffer.from('JVBERi0xLjQK\r\n'.repeat(5000));
      throw new Error('client closed the connection');
    }
    const err = await parseMessage(Readable.from(broken(), { objectMode: false }), { store: folderWriter(blobDir) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('client closed the connection');
    expect(err).not.toBeInstanceOf(MalformedMessageError);
  });

  it('a message past a limit of the parser (a header over 1 MiB) is refused by the class of the error, never as a system fault', async () => {
    const raw = `Subject: ${'a'.repeat(1.5 * MIB)}\r\n\r\nbody\r\n`;
    const source = Readable.from([Buffer.from(raw)]);
    const err = await parseMessage(source, { store: folderWriter(blobDir) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParserLimitError);
    expect(((err as Error).cause as { code?: string }).code).toBe('EMAXLEN');
    await finished(source);
  });

  it('a message cut off in the middle of an attachment is parsed with what arrived', async () => {
    const raw = `${HEAD}\r\nContent-Type: application/pdf; name="cut.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n`;
    const msg = await parseMessage(Readable.from([Buffer.from(raw)]), { store: folderWriter(blobDir) });
    expect(msg.attachments).toMatchObject([{ filename: 'cut.pdf', size: 9 }]);
  });
});

describe('the source is always read to its end', () => {
  it('after a malformed message', async () => {
    const source = fs.createReadStream(path.join(FIXTURES, 'malformed.eml'));
    await expect(parseMessage(source, { store: folderWriter(blobDir) })).rejects.toThrow(MalformedMessageError);
    await finished(source);
    expect(source.bytesRead).toBe(fs.statSync(path.join(FIXTURES, 'malformed.eml')).size);
  });

  it('after a message over the size limit, which is refused with MessageTooLargeError', async () => {
    const file = path.join(FIXTURES, 'inline-image-and-attachment.eml');
    const source = fs.createReadStream(file, { highWaterMark: 512 });
    const err = await parseMessage(source, { store: folderWriter(blobDir), maxBytes: 1024 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MessageTooLargeError);
    expect((err as Error).message).toBe('message is larger than the limit of 1024 bytes');
    await finished(source);
    expect(source.bytesRead).toBe(fs.statSync(file).size);
  });

  it('a message at the limit is accepted', async () => {
    const file = path.join(FIXTURES, 'new-case-request.eml');
    const size = fs.statSync(file).size;
    const msg = await parseMessage(fs.createReadStream(file), { store: folderWriter(blobDir), maxBytes: size });
    expect(msg.size).toBe(size);
  });
});
