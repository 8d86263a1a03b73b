// The .eml fixtures of real clients, sent over SMTP to the seeded case: each becomes one comment
// with only the new text; the DSN fixture marks its recipient as bouncing and holds what follows.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, BOB, SUPPORT, addCollaborator, addComment, countRows, showCase } from '../helpers/seed.js';
import { query } from '../helpers/testDb.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'latin1');

let gw: Gateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const replies: Array<[string, string, string]> = [
  ['reply-gmail-quoted.eml', ANN, 'It shows error 13.A2.D3 and the paper tray 2 light is blinking.\n\nI switched it off and on again, same error.\n\nAnn'],
  ['reply-outlook-quoted.eml', ANN, 'Hi Sam,\n\nThe display says 13.A2.D3. We also tried tray 1, it jams there too.\n\nKind regards,\nAnn Archer\nOffice Manager, Acme Corp'],
  ['reply-outlook-web-quoted.eml', BOB, 'Bob here, I sit next to the printer. The technician can come any time after 14:00.\n\nBob Baker'],
  ['reply-apple-mail-quoted.eml', BOB, 'Confirmed, I am on floor 3 today. Printing a test page also gives 13.A2.D3.\n\nBob'],
  ['reply-thunderbird-quoted.eml', ANN, 'Hello,\n\nThe engineer came by at 14:00 and replaced the fuser unit, the printer is working again. You can close the case.\n\nAnn'],
  ['reply-marker-quoted.eml', BOB, 'Please send the technician tomorrow morning, the whole floor cannot print.\n\nBob\nSent from my phone'],
];

describe('replies from real clients keep only their new text', () => {
  for (const [file, from, expected] of replies) {
    it(file, async () => {
      gw = await startGateway();
      const r = await gw.send(fixture(file), { from, to: [gw.caseAddress] });
      expect(r.code).toBe(250);
      const comments = (await showCase(gw.db, gw.config, gw.caseNumber)).comments;
      expect(comments.map((c) => c.body)).toEqual([expected]);
    });
  }

  it('inline image and attachment are both stored', async () => {
    gw = await startGateway();
    expect((await gw.send(fixture('inline-image-and-attachment.eml'), { from: ANN, to: [gw.caseAddress] })).code).toBe(250);
    const [c] = (await showCase(gw.db, gw.config, gw.caseNumber)).comments;
    expect(c?.attachments.map((a) => [a.contentType, a.inline])).toEqual([
      ['image/png', true],
      ['application/pdf', false],
    ]);
  });

  it('an HTML-only first mail opens a case with its text', async () => {
    gw = await startGateway();
    const r = await gw.send(fixture('html-only.eml'), { from: ANN, to: [SUPPORT] });
    expect(r.response).toMatch(/opened case 00001002/);
    expect((await showCase(gw.db, gw.config, '00001002')).description).toMatch(/Printer \| Floor \| Toner/);
  });

  it('the out-of-office reply is dropped, and the outsider refused', async () => {
    gw = await startGateway();
    expect((await gw.send(fixture('out-of-office.eml'), { from: ANN, to: [gw.caseAddress] })).code).toBe(250);
    const outsider = await gw.send(fixture('reply-from-outsider.eml'), { from: 'eve@evil.example', to: [gw.caseAddress] });
    expect(outsider.code).toBe(550);
    expect(await countRows(gw.db, 'comments', "source = 'email'")).toBe(0);
  });
});

describe('a delivery status notification marks the recipient as bouncing', () => {
  it('names the outbox row by its VERP address; later notifications to that address are held', async () => {
    gw = await startGateway();
    await addCollaborator(gw.db, gw.config, gw.caseNumber, 'carol@gone.example');
    const row = (await query(gw.db, "SELECT token, message_id AS \"messageId\" FROM outbox WHERE recipient = 'carol@gone.example'"))[0] as {
      token: string;
      messageId: string;
    };
    const dsn = fixture('dsn-bounce.eml')
      .replaceAll('q7w8e9r0t1y2u3i4o5p6a7s8', row.token)
      .replaceAll('<abcdefghijklmnopqrstuvwx@cases.localhost>', row.messageId);
    const bounceAddress = `bounce+${row.token}@cases.localhost`;
    const r = await gw.send(dsn, { from: '', to: [bounceAddress] });
    expect(r.code).toBe(250);
    expect(r.response).toMatch(/permanent failure 5\.1\.1; the notification it reports on is marked bounced/);
    expect(r.response).not.toContain('carol@gone.example');
    expect(await countRows(gw.db, 'bounces', "address_lower = 'carol@gone.example' AND hard = TRUE")).toBe(1);
    expect(await countRows(gw.db, 'outbox', "recipient = 'carol@gone.example' AND bounced_at IS NOT NULL")).toBe(1);

    await addComment(gw.db, gw.config, { number: gw.caseNumber, as: ANN, body: 'Any news?' });
    const later = (await query(gw.db, "SELECT recipient, status FROM outbox WHERE kind = 'comment' ORDER BY recipient"));
    expect(later).toEqual([
      { recipient: BOB, status: 'pending' },
      { recipient: 'carol@gone.example', status: 'held' },
    ]);
    expect(await countRows(gw.db, 'comments', "source = 'email'")).toBe(0);
  });
});
