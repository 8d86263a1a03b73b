// Composing one notification: headers, envelope and body per kind. Pure.
import { describe, expect, it } from 'vitest';
import { composeNotification, type CommentView, type NotificationInput } from '../../src/outbound/compose.js';
import { REPLY_MARKER } from '../../src/domain/mailNames.js';

const comment = (id: number, body: string, extra: Partial<CommentView> = {}): CommentView => ({
  id,
  authorEmail: 'alice@customer.test',
  authorName: 'Alice Example',
  body,
  createdAt: Date.UTC(2025, 2, 4, 9, 5),
  attachments: [],
  ...extra,
});

const base = (over: Partial<NotificationInput> = {}): NotificationInput => ({
  from: 'support@cases.test',
  domain: 'cases.test',
  contentOf: (sha256) => ({ path: `/data/blobs/${sha256.slice(0, 2)}/${sha256}` }),
  row: { kind: 'comment', recipient: 'bob@customer.test', token: 'tok0123456789abcdefghijk', messageId: '<tok0123456789abcdefghijk@cases.test>', replyToken: null },
  case: {
    number: '00001001',
    subject: 'Printer on fire',
    description: 'Room 4.',
    status: 'Working',
    addressToken: 'addr0123456789abcdefghij',
    threadRoot: '<case.00001001.abc@cases.test>',
  },
  comment: comment(1, 'Still <b>burning</b> & smoking'),
  history: [],
  ...over,
});

describe('headers and envelope', () => {
  it('addresses one person, with reply, thread and auto-reply headers and a VERP envelope', () => {
    const m = composeNotification(base());
    expect(m.to).toBe('bob@customer.test');
    expect(m.cc).toBeUndefined();
    expect(m.bcc).toBeUndefined();
    expect(m.from).toBe('support@cases.test');
    expect(m.replyTo).toBe('case+addr0123456789abcdefghij@cases.test');
    expect(m.subject).toBe('[Case 00001001] Printer on fire');
    expect(m.messageId).toBe('<tok0123456789abcdefghijk@cases.test>');
    expect(m.inReplyTo).toBe('<case.00001001.abc@cases.test>');
    expect(m.references).toBe('<case.00001001.abc@cases.test>');
    expect(m.headers).toEqual({ 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'X-Casegate-Loop': 'cases.test' });
    expect(m.envelope).toEqual({ from: 'bounce+tok0123456789abcdefghijk@cases.test', to: 'bob@customer.test' });
  });
});

describe('body', () => {
  it('a comment: marker first, then author, date, text, case number and status; HTML escaped', () => {
    const m = composeNotification(base());
    const text = String(m.text);
    expect(text.startsWith(REPLY_MARKER + '\n')).toBe(true);
    expect(text).toContain('Alice Example <alice@customer.test> wrote on 2025-03-04 09:05 UTC:');
    expect(text).toContain('Still <b>burning</b> & smoking');
    expect(text).toContain('Case 00001001 · status Working');
    const html = String(m.html);
    expect(html).toContain('Still &lt;b&gt;burning&lt;/b&gt; &amp; smoking');
    expect(html).not.toContain('<b>burning');
  });

  it('a comment with attachments: each one from the blob store, inline images by Content-ID', () => {
    const sha = 'ab'.padEnd(64, 'c');
    const m = composeNotification(
      base({
        comment: comment(1, 'see files', {
          attachments: [
            { sha256: sha, filename: 'a.pdf', contentType: 'application/pdf', size: 2048, contentId: null, inline: false },
            { sha256: sha, filename: 'p.png', contentType: 'image/png', size: 10, contentId: '<p1@x>', inline: true },
          ],
        }),
      }),
    );
    expect(m.attachments).toEqual([
      { filename: 'a.pdf', contentType: 'application/pdf', path: `/data/blobs/ab/${sha}` },
      { filename: 'p.png', contentType: 'image/png', path: `/data/blobs/ab/${sha}`, cid: 'p1@x' },
    ]);
    expect(String(m.text)).toContain('Attachments: a.pdf (2.0 KB), p.png (10 B)');
    expect(String(m.html)).toContain('<img src="cid:p1@x" alt="p.png">');
  });

  it('case created: subject, description, and where replies go', () => {
    const text = String(composeNotification(base({ row: { ...base().row, kind: 'case-created' }, comment: null })).text);
    expect(text.startsWith(REPLY_MARKER)).toBe(true);
    expect(text).toContain('Case 00001001 has been opened');
    expect(text).toContain('Subject: Printer on fire');
    expect(text).toContain('Room 4.');
    expect(text).toContain('case+addr0123456789abcdefghij@cases.test');
  });

  it('history: the description, then every public comment oldest first', () => {
    const history = [comment(1, 'first words'), comment(2, 'second words', { authorName: null, authorEmail: 'agent@support.test' })];
    const m = composeNotification(base({ row: { ...base().row, kind: 'history' }, comment: null, history }));
    const text = String(m.text);
    expect(text).toContain('You have been added to case 00001001');
    expect(text.indexOf('Room 4.')).toBeLessThan(text.indexOf('first words'));
    expect(text.indexOf('first words')).toBeLessThan(text.indexOf('second words'));
    expect(text).toContain('agent@support.test wrote on');
    expect(m.attachments).toEqual([]);
  });
});

describe('reply addresses', () => {
  const reply = 'rep0123456789abcdefghijk';
  it("Reply-To and the body's hint are the recipient's own reply address when the row has one", () => {
    const m = composeNotification(base({ row: { ...base().row, replyToken: reply } }));
    expect(m.replyTo).toBe(`case+${reply}@cases.test`);
    expect(String(m.text)).toContain(`case+${reply}@cases.test`);
    expect(String(m.text)).not.toContain('addr0123456789abcdefghij');
  });
  it('a row written before reply addresses offers the case-level address', () => {
    expect(composeNotification(base()).replyTo).toBe('case+addr0123456789abcdefghij@cases.test');
  });
  it("owner: the comment, and that the owner's reply goes to the participants", () => {
    const text = String(composeNotification(base({ row: { ...base().row, kind: 'owner', replyToken: reply } })).text);
    expect(text).toContain('You own case 00001001');
    expect(text).toContain('Alice Example <alice@customer.test> wrote on');
    expect(text).toContain('Still <b>burning</b> & smoking');
  });
});
