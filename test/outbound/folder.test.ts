// The embedded default: with no relay configured, each message becomes one complete .eml file.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { loadConfig } from '../../src/config.js';
import { createDispatcher } from '../../src/outbound/dispatcher.js';
import { createFolderTransport } from '../../src/outbound/transport.js';
import { DOMAIN, outboxRow, seedCase, seedComment, seedOutbox, tempStore, type TempStore } from '../helpers/seed.js';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(() => t.cleanup());

describe('.eml folder transport', () => {
  it('writes one complete file per row, named by its token, and leaves no temporary files', async () => {
    const outboxDir = path.join(t.dir, 'outbox');
    const config = loadConfig({ db: t.file }, { CASEGATE_DOMAIN: DOMAIN, CASEGATE_OUTBOX_DIR: outboxDir });
    expect(config.smtpUrl).toBeNull();
    const c = await seedCase(t.db);
    const content = Buffer.alloc(200_000, 'x');
    const comment = await seedComment(t.db, c.id, { files: [{ filename: 'big.txt', contentType: 'text/plain', content }] });
    const rows = [];
    for (let i = 0; i < 20; i++) rows.push(await seedOutbox(t.db, { caseId: c.id, commentId: comment.id, recipient: `p${i}@customer.test` }));

    const dispatcher = createDispatcher({ db: t.db, config });
    expect(await dispatcher.runOnce()).toEqual({ sent: 20, retried: 0, failed: 0, held: 0 });
    await dispatcher.stop();

    const names = fs.readdirSync(outboxDir).sort();
    expect(names).toHaveLength(20);
    expect(names.every((n) => /^[a-z0-9]{24}\.eml$/.test(n))).toBe(true);
    for (const row of rows) {
      const name = names.find((n) => n === `${row.token}.eml`);
      expect(name).toBeDefined();
      expect((await outboxRow(t.db, row.id)).response).toBe(`250 written to ${name}`);
      const mail = await simpleParser(fs.readFileSync(path.join(outboxDir, name!)));
      expect(mail.messageId).toBe(row.messageId);
      expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
      const [file] = mail.attachments;
      expect(createHash('sha256').update(file!.content).digest('hex')).toBe(comment.sha256[0]);
    }
  });

  it('a message sent again (a crash before its sent mark) replaces its file instead of adding one', async () => {
    const dir = path.join(t.dir, 'again');
    const transport = createFolderTransport(dir);
    const message = { from: 'a@x.test', to: 'b@x.test', text: 'first', messageId: '<tok1@x.test>' };
    expect((await transport.send(message)).response).toBe('250 written to tok1.eml');
    await transport.send({ ...message, text: 'second' });
    await transport.send({ ...message, messageId: '<tok2@x.test>' });
    await transport.send({ ...message, messageId: '<a/b@x.test>' });
    await transport.send({ ...message, messageId: '<a_b@x.test>' });
    const names = fs.readdirSync(dir).sort();
    expect(names).toHaveLength(4);
    expect(names).toContain('tok1.eml');
    expect(names).toContain('a_b.eml');
    expect((await simpleParser(fs.readFileSync(path.join(dir, 'tok1.eml')))).text?.trim()).toBe('second');
    transport.close();
  });

  it('a failed write leaves nothing behind and is reported', async () => {
    const dir = path.join(t.dir, 'blocked');
    fs.writeFileSync(dir, 'a file where the folder should be');
    const transport = createFolderTransport(dir);
    await expect(transport.send({ from: 'a@x.test', to: 'b@x.test', text: 'hi', messageId: '<t1@x.test>' })).rejects.toThrow();
    transport.close();
  });

  it('a message whose attachment cannot be read is not written at all', async () => {
    const dir = path.join(t.dir, 'out');
    const transport = createFolderTransport(dir);
    await expect(
      transport.send({ from: 'a@x.test', to: 'b@x.test', text: 'hi', messageId: '<t2@x.test>', attachments: [{ path: path.join(t.dir, 'missing.bin') }] }),
    ).rejects.toThrow(/ENOENT/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
