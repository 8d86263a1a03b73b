import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobPath, releaseBlobs, writeBlob } from '../../src/db/blobs.js';
import { tempDir } from '../helpers/tempDir.js';

let blobDir: string;
let removeBlobDir: () => void;
beforeEach(() => {
  ({ dir: blobDir, cleanup: removeBlobDir } = tempDir('blobs'));
});
afterEach(() => removeBlobDir());

const sha256 = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');

/** Every file under dir, relative, sorted. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

describe('writeBlob stores content under its SHA-256', () => {
  it('streams the content to <blobDir>/<sha[0..2]>/<sha> and returns hash and size', async () => {
    const content = Buffer.concat([crypto.randomBytes(100_000), Buffer.from('end')]);
    const chunks = [content.subarray(0, 7), content.subarray(7, 65_000), content.subarray(65_000)];
    const blob = await writeBlob(blobDir, Readable.from(chunks));
    const expected = sha256(content);
    expect(blob).toEqual({ sha256: expected, size: content.length, path: path.join(blobDir, expected.slice(0, 2), expected) });
    expect(fs.readFileSync(blob.path).equals(content)).toBe(true);
    expect(filesUnder(blobDir)).toEqual([path.join(expected.slice(0, 2), expected)]);
  });

  it('stores empty content too', async () => {
    const blob = await writeBlob(blobDir, Readable.from([]));
    expect(blob.sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(blob.size).toBe(0);
    expect(fs.statSync(blob.path).size).toBe(0);
  });

  it('creates the blob folder when it does not exist yet', async () => {
    const nested = path.join(blobDir, 'not', 'yet');
    const blob = await writeBlob(nested, Readable.from([Buffer.from('x')]));
    expect(fs.existsSync(blob.path)).toBe(true);
  });
});

describe('identical content is stored once', () => {
  it('a second write of the same bytes returns the same blob and leaves one file', async () => {
    const content = Buffer.from('the same printer photo, twice');
    const first = await writeBlob(blobDir, Readable.from([content]));
    const second = await writeBlob(blobDir, Readable.from([content.subarray(0, 5), content.subarray(5)]));
    expect(second).toEqual(first);
    expect(filesUnder(blobDir)).toEqual([path.relative(blobDir, first.path)]);
  });

  it('different bytes are two blobs', async () => {
    const a = await writeBlob(blobDir, Readable.from([Buffer.from('a')]));
    const b = await writeBlob(blobDir, Readable.from([Buffer.from('b')]));
    expect(a.sha256).not.toBe(b.sha256);
    expect(filesUnder(blobDir)).toHaveLength(2);
  });
});

describe('a failed write leaves nothing behind', () => {
  it('passes the source error on and removes the temporary file', async () => {
    const source = new Readable({ read() {} });
    source.push(Buffer.alloc(50_000, 1));
    setTimeout(() => source.destroy(new Error('connection reset by peer')), 10);
    await expect(writeBlob(blobDir, source)).rejects.toThrow('connection reset by peer');
    expect(filesUnder(blobDir)).toEqual([]);
  });

  it('a source that fails while its folder is still being made: rejected with its error, nothing left, no uncaught error', async () => {
    const source = new Readable({ read() {} });
    const written = writeBlob(path.join(blobDir, 'new', 'folder'), source);
    source.destroy(new Error('client went away'));
    await expect(written).rejects.toThrow('client went away');
    expect(filesUnder(blobDir)).toEqual([]);
  });

  it('names the folder when the file system refuses', async () => {
    const notADir = path.join(blobDir, 'file');
    fs.writeFileSync(notADir, 'x');
    await expect(writeBlob(notADir, Readable.from([Buffer.from('x')]))).rejects.toThrow(
      `cannot store attachment content in ${notADir}`,
    );
  });
});

describe('blobPath', () => {
  it('shards by the first two hex digits', () => {
    const sha = 'ab'.padEnd(64, '0');
    expect(blobPath('/data/blobs', sha)).toBe(path.join('/data/blobs', 'ab', sha));
  });

  it('refuses anything that is not a SHA-256 hex digest', () => {
    expect(() => blobPath('/data/blobs', '../../etc/passwd')).toThrow('is not a SHA-256 hex digest');
  });
});

describe('releasing a message\'s blobs asks the database, and another message may commit meanwhile', () => {
  it('removes a blob no row names and no message holds', async () => {
    const { sha256, path: file } = await writeBlob(blobDir, Readable.from([Buffer.from('refused message')]));
    expect(await releaseBlobs(blobDir, [sha256], async () => new Set())).toEqual({ files: 1, bytes: 15 });
    expect(fs.existsSync(file)).toBe(false);
  });

  it('keeps a blob that another message wrote and committed while the answer "no row" was on its way', async () => {
    const content = Buffer.from('the same attachment, twice');
    const first = await writeBlob(blobDir, Readable.from([content]));
    const freed = await releaseBlobs(blobDir, [first.sha256], async () => {
      // Meanwhile a second message brings the same content and commits its row.
      const second = await writeBlob(blobDir, Readable.from([content]));
      await releaseBlobs(blobDir, [second.sha256], async (shas) => new Set(shas));
      return new Set<string>();
    });
    expect(freed).toEqual({ files: 0, bytes: 0 });
    expect(fs.readFileSync(first.path)).toEqual(content);
  });
});
