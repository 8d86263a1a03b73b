// `casegate comment add` against the real binary and a throwaway SQLite file (SPEC §2, §5, §6).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ISO_TIME, templateDb, useTestDb, type TestDb, okJson as ok, refusedJson as refused } from '../helpers/cli.js';
import { blobsInDatabase, queryAt } from '../helpers/testDb.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * Account Acme (1); user agent@support.example; contacts ann (the case contact) and bob; case
 * 00001001 for ann (no "case created" email) with collaborators bob@acme.example and
 * carol@elsewhere.example; case 00001002 without contact or collaborators. Made once, copied per test.
 */
const seed = templateDb(async (t) => {
  await ok(t, 'account', 'create', 'Acme');
  await ok(t, 'user', 'create', '--email', 'agent@support.example', '--name', 'Agent Smith');
  await ok(t, 'contact', 'create', '--email', 'ann@acme.example', '--first', 'Ann', '--last', 'Archer', '--account', '1');
  await ok(t, 'contact', 'create', '--email', 'bob@acme.example', '--first', 'Bob', '--last', 'Baker', '--account', '1');
  await ok(t, 'case', 'create', '--subject', 'Printer jammed', '--contact', 'ann@acme.example', '--no-notify');
  await ok(t, 'collaborator', 'add', '00001001', 'bob@acme.example');
  await ok(t, 'collaborator', 'add', '00001001', 'carol@elsewhere.example');
  await ok(t, 'case', 'create', '--subject', 'Nobody here');
  await queryAt(t.db, 'DELETE FROM outbox'); // the history emails of the two collaborators
});

const commentRows = async (t: TestDb): Promise<Json[]> => (await ok(t, 'outbox', 'list')).filter((r: Json) => r.kind === 'comment');

describe('casegate comment add: a public comment', () => {
  const t = useTestDb();

  it('prints the comment with its id and shows it on the case', async () => {
    await seed(t());
    const c = await ok(t(), 'comment', 'add', '00001001', '--as', 'Agent@Support.example', '--body', 'A technician is on the way.');
    expect(c).toEqual({
      id: 1,
      case: '00001001',
      author: 'agent@support.example',
      body: 'A technician is on the way.',
      source: 'cli',
      internal: false,
      createdAt: expect.stringMatching(ISO_TIME),
      attachments: [],
    });
    const shown = await ok(t(), 'case', 'show', '00001001');
    expect(shown.comments).toEqual([
      expect.objectContaining({
        author: 'agent@support.example',
        body: 'A technician is on the way.',
        source: 'cli',
        internal: false,
        createdAt: c.createdAt,
        attachments: [],
      }),
    ]);
    expect(shown.updatedAt).toBe(c.createdAt);
  });

  it('queues one pending email per participant when a user writes it', async () => {
    await seed(t());
    await ok(t(), 'comment', 'add', '00001001', '--as', 'agent@support.example', '--body', 'On the way.');
    const rows = await commentRows(t());
    expect(rows.map((r: Json) => r.recipient)).toEqual(['ann@acme.example', 'bob@acme.example', 'carol@elsewhere.example']);
    for (const r of rows) expect(r).toMatchObject({ case: '00001001', kind: 'comment', status: 'pending', attempts: 0 });
  });

  it('sends it to every participant but its author, whatever the letter case of --as', async () => {
    await seed(t());
    await ok(t(), 'comment', 'add', '00001001', '--as', 'ANN@acme.example', '--body', 'Still jammed.');
    expect((await commentRows(t())).map((r: Json) => r.recipient)).toEqual(['bob@acme.example', 'carol@elsewhere.example']);
  });

  it('lets a collaborator from outside the account write one', async () => {
    await seed(t());
    const c = await ok(t(), 'comment', 'add', '00001001', '--as', 'carol@elsewhere.example', '--body', 'Same here.');
    expect(c.author).toBe('carol@elsewhere.example');
    expect((await commentRows(t())).map((r: Json) => r.recipient)).toEqual(['ann@acme.example', 'bob@acme.example']);
  });

  it('queues nothing on a case without participants', async () => {
    await seed(t());
    await ok(t(), 'comment', 'add', '00001002', '--as', 'agent@support.example', '--body', 'Note to self.');
    expect(await ok(t(), 'outbox', 'list')).toEqual([]);
  });

  it('reads the text from --file', async () => {
    await seed(t());
    const file = path.join(t().dir, 'reply.txt');
    fs.writeFileSync(file, 'Line one\nLine two\n');
    const c = await ok(t(), 'comment', 'add', '00001001', '--as', 'agent@support.example', '--file', file);
    expect(c.body).toBe('Line one\nLine two\n');
  });
});

describe('casegate comment add --internal', () => {
  const t = useTestDb();

  it('stores an internal comment of a user and emails nobody', async () => {
    await seed(t());
    const c = await ok(t(), 'comment', 'add', '00001001', '--as', 'agent@support.example', '--body', 'Customer is grumpy.', '--internal');
    expect(c).toMatchObject({ internal: true, source: 'cli' });
    expect(await ok(t(), 'outbox', 'list')).toEqual([]);
    expect((await ok(t(), 'case', 'show', '00001001')).comments).toEqual([expect.objectContaining({ body: 'Customer is grumpy.', internal: true })]);
  });

  it('refuses an internal comment of a participant who is not a user', async () => {
    await seed(t());
    await refused(t(), ['comment', 'add', '00001001', '--as', 'ann@acme.example', '--body', 'x', '--internal'], /only users may write internal comments/);
  });
});

describe('casegate comment add --attach', () => {
  const t = useTestDb();

  it('stores each attachment with filename, type, size and SHA-256, and keeps its bytes', async () => {
    await seed(t());
    const report = path.join(t().dir, 'report.pdf');
    const log = path.join(t().dir, 'printer.LOG');
    const pdf = Buffer.from('%PDF-1.4\n' + 'x'.repeat(5000));
    fs.writeFileSync(report, pdf);
    fs.writeFileSync(log, 'paper jam in tray 2\n');
    const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');
    const c = await ok(t(), 'comment', 'add', '00001001', '--as', 'agent@support.example', '--body', 'See attached.', '--attach', report, '--attach', log);
    const expected = [
      { filename: 'report.pdf', contentType: 'application/pdf', size: pdf.length, sha256: sha(pdf) },
      { filename: 'printer.LOG', contentType: 'text/plain', size: 20, sha256: sha('paper jam in tray 2\n') },
    ];
    expect(c.attachments).toEqual(expected.map((a) => expect.objectContaining(a)));
    const shown = await ok(t(), 'case', 'show', '00001001');
    expect(shown.comments[0].attachments).toEqual(expected.map((a) => expect.objectContaining(a)));
    if (blobsInDatabase) {
      const chunks = await queryAt<{ data: Buffer }>(t().db, 'SELECT data FROM blob_contents WHERE sha256 = ? ORDER BY seq', [sha(pdf)]);
      expect(Buffer.concat(chunks.map((c) => c.data))).toEqual(pdf);
    } else {
      expect(fs.readFileSync(path.join(t().dir, 'blobs', sha(pdf).slice(0, 2), sha(pdf)))).toEqual(pdf);
    }
  });

  it('stores the same content once', async () => {
    await seed(t());
    const a = path.join(t().dir, 'a.txt');
    const b = path.join(t().dir, 'b.txt');
    fs.writeFileSync(a, 'same bytes');
    fs.writeFileSync(b, 'same bytes');
    await ok(t(), 'comment', 'add', '00001001', '--as', 'agent@support.example', '--body', 'one', '--attach', a);
    await ok(t(), 'comment', 'add', '00001001', '--as', 'agent@support.example', '--body', 'two', '--attach', b);
    const fp = await t().fingerprint();
    expect(fp.blobs).toHaveLength(1);
    expect(fp.attachments).toHaveLength(2);
  });

  it('refuses an attachment it cannot read, writing nothing', async () => {
    await seed(t());
    await refused(
      t(),
      ['comment', 'add', '00001001', '--as', 'agent@support.example', '--body', 'x', '--attach', path.join(t().dir, 'missing.pdf')],
      /cannot read attachment .*missing\.pdf/,
    );
    await refused(t(), ['comment', 'add', '00001001', '--as', 'agent@support.example', '--body', 'x', '--attach', t().dir], /cannot read attachment/);
  });
});

describe('casegate comment add: refusals', () => {
  const t = useTestDb();

  it('refuses an author who is neither a user nor a participant, writing nothing', async () => {
    await seed(t());
    await refused(t(), ['comment', 'add', '00001001', '--as', 'mallory@evil.example', '--body', 'x'], /mallory@evil\.example is neither a user nor a participant of case 00001001/);
    // a participant of another case is no participant of this one
    await refused(t(), ['comment', 'add', '00001002', '--as', 'ann@acme.example', '--body', 'x'], /ann@acme\.example is neither a user nor a participant of case 00001002/);
  });

  it('refuses an unknown or malformed case number', async () => {
    await seed(t());
    await refused(t(), ['comment', 'add', '00009999', '--as', 'agent@support.example', '--body', 'x'], /no case 00009999/);
    await refused(t(), ['comment', 'add', 'x1', '--as', 'agent@support.example', '--body', 'x'], /"x1" is not a case number/);
  });

  it('refuses no text, both --body and --file, an empty text and an unreadable --file', async () => {
    await seed(t());
    const file = path.join(t().dir, 'reply.txt');
    fs.writeFileSync(file, 'hi');
    await refused(t(), ['comment', 'add', '00001001', '--as', 'agent@support.example'], /exactly one of --body TEXT or --file F/);
    await refused(t(), ['comment', 'add', '00001001', '--as', 'agent@support.example', '--body', 'x', '--file', file], /exactly one of --body/);
    await refused(t(), ['comment', 'add', '00001001', '--as', 'agent@support.example', '--body', '  \n '], /the comment is empty/);
    await refused(t(), ['comment', 'add', '00001001', '--as', 'agent@support.example', '--file', path.join(t().dir, 'none.txt')], /cannot read .*none\.txt/);
  });

  it('refuses a missing --as on a line starting "casegate:", writing nothing', async () => {
    await seed(t());
    const before = await t().fingerprint();
    const r = await t().run('comment', 'add', '00001001', '--body', 'x', '--json');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toMatch(/^casegate: .*--as/);
    expect(await t().fingerprint()).toEqual(before);
  });
});
