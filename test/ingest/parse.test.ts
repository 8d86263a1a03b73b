// The parse stage on the fixtures: threading headers, decoded headers, the new text of each client's
// reply, attachments in the blob store, delivery reports, and what is not a message.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobPath } from '../../src/db/blobs.js';
import { detectAutoReply } from '../../src/domain/autoReply.js';
import { extractReply } from '../../src/domain/replyText.js';
import { HTML_MAX_CHARS, MalformedMessageError, TEXT_CUT_MARK, TEXT_MAX_CHARS, headerOf, parseMessage, type ParsedMessage } from '../../src/ingest/parse.js';
import { folderWriter } from '../../src/db/blobsInFolder.js';
import { tempDir } from '../helpers/tempDir.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
const NOTE_ID = '<k3v9q8x2m4n7p1r5t6w8y0za@cases.localhost>';
const ROOT_ID = '<case.00001001.m2n4p6q8r0s2@cases.localhost>';
const SUBJECT = '[Case 00001001] Printer on floor 3 is jammed';

let blobDir: string;
let removeBlobDir: () => void;
beforeEach(async () => {
  ({ dir: blobDir, cleanup: removeBlobDir } = tempDir('parse'));
});
afterEach(() => removeBlobDir());

const fixture = (name: string): Buffer => fs.readFileSync(path.join(FIXTURES, name));
const parse = (name: string): Promise<ParsedMessage> =>
  parseMessage(fs.createReadStream(path.join(FIXTURES, name)), { store: folderWriter(blobDir) });
const storedFiles = (): string[] =>
  (fs.readdirSync(blobDir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(blobDir, f)).isFile());

describe('replies: the new text of each mail client', () => {
  const cases: Array<[string, string, string]> = [
    [
      'reply-gmail-quoted.eml',
      'ann@acme.example',
      'It shows error 13.A2.D3 and the paper tray 2 light is blinking.\n\nI switched it off and on again, same error.\n\nAnn',
    ],
    [
      'reply-outlook-quoted.eml',
      'ann@acme.example',
      'Hi Sam,\n\nThe display says 13.A2.D3. We also tried tray 1, it jams there too.\n\nKind regards,\nAnn Archer\nOffice Manager, Acme Corp',
    ],
    [
      'reply-outlook-web-quoted.eml',
      'bob@acme.example',
      'Bob here, I sit next to the printer. The technician can come any time after 14:00.\n\nBob Baker',
    ],
    [
      'reply-apple-mail-quoted.eml',
      'bob@acme.example',
      'Confirmed, I am on floor 3 today. Printing a test page also gives 13.A2.D3.\n\nBob',
    ],
    [
      'reply-thunderbird-quoted.eml',
      'ann@acme.example',
      'Hello,\n\nThe engineer came by at 14:00 and replaced the fuser unit, the printer is working again. You can close the case.\n\nAnn',
    ],
    [
      'reply-marker-quoted.eml',
      'bob@acme.example',
      'Please send the technician tomorrow morning, the whole floor cannot print.\n\nBob\nSent from my phone',
    ],
  ];
  for (const [file, from, expected] of cases) {
    it(`${file}: keeps only the new text`, async () => {
      const msg = await parse(file);
      expect(msg.from?.address).toBe(from);
      expect(msg.subject).toMatch(new RegExp(`^(Re|RE): \\[Case 00001001\\] Printer on floor 3 is jammed$`));
      expect(extractReply(msg.text)).toEqual({ body: expected, quoted: true });
      expect(msg.text).toContain('##- Please type your reply above this line -##');
      expect(msg.attachments).toEqual([]);
      expect(msg.dsn).toBeNull();
    });
  }

  it('reads the threading headers with angle brackets', async () => {
    const msg = await parse('reply-gmail-quoted.eml');
    expect(msg.messageId).toBe('<CAF3xG7qkT9mR2vYp8Lw1nZ4bQ6sHc0uJdE5aK3fN7gXoV2iW1Q@mail.gmail.com>');
    expect(msg.inReplyTo).toEqual([NOTE_ID]);
    expect(msg.references).toEqual([ROOT_ID, NOTE_ID]);
  });

  it('reads References folded over two lines (Outlook on the web)', async () => {
    expect((await parse('reply-outlook-web-quoted.eml')).references).toEqual([ROOT_ID, NOTE_ID]);
  });

  it('joins format=flowed lines (Thunderbird)', async () => {
    const msg = await parse('reply-thunderbird-quoted.eml');
    expect(msg.text).toContain('the printer is working again.');
  });
});

describe('a new case request', () => {
  it('has sender, subject and the whole text, nothing quoted', async () => {
    const msg = await parse('new-case-request.eml');
    expect(msg.from).toEqual({ address: 'ann@acme.example', name: 'Ann Archer' });
    expect(msg.subject).toBe('Printer on floor 3 is jammed');
    expect(headerOf(msg, 'to')).toBe('<support@acme-support.example>');
    expect(msg.inReplyTo).toEqual([]);
    expect(msg.references).toEqual([]);
    expect(extractReply(msg.text)).toEqual({
      body:
        'Hello support,\n\nThe printer on floor 3 (HP LaserJet M607, asset tag ACME-PR-0317) is jammed and shows error 13.A2.D3.\n' +
        'We have removed the paper from tray 2 but it keeps jamming.\n\nCould you send someone today?\n\n' +
        'Kind regards,\nAnn Archer\nOffice Manager, Acme Corp\n+1 555 0100',
      quoted: false,
    });
  });

  it('reports the bytes read and keeps the raw header section only', async () => {
    const raw = fixture('new-case-request.eml');
    const msg = await parse('new-case-request.eml');
    expect(msg.size).toBe(raw.length);
    const end = raw.indexOf('\r\n\r\n');
    expect(msg.headerSection).toBe(raw.subarray(0, end + 2).toString('utf8'));
    expect(msg.headerSection).toMatch(/^Received: from EUR05/);
    expect(msg.headerSection).not.toContain('Hello support');
  });
});

describe('HTML-only mail is turned into text', () => {
  it('keeps paragraphs, table rows and the link target', async () => {
    const msg = await parse('html-only.eml');
    expect(msg.subject).toBe('Toner for floors 3 and 4');
    expect(msg.text).toBe(
      'Hello support,\n\nPlease order toner for these printers:\n\n' +
        'Printer | Floor | Toner\nPR-0317 | 3 | CF237X\nPR-0402 | 4 | CF259A\n\n' +
        'The order form is on our intranet [https://intranet.acme.example/forms/toner].\n\nThanks,\nAnn',
    );
  });

  it('also when the HTML part sits inside multipart/related', async () => {
    const raw = [
      'From: Ann Archer <ann@acme.example>',
      'Subject: photo',
      'Content-Type: multipart/related; boundary="rel"',
      '',
      '--rel',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>See the <b>photo</b>.</p><img src="cid:p1@acme">',
      '--rel',
      'Content-Type: image/png',
      'Content-ID: <p1@acme>',
      'Content-Transfer-Encoding: base64',
      '',
      'iVBORw0KGgo=',
      '--rel--',
      '',
    ].join('\r\n');
    const msg = await parseMessage(Readable.from([Buffer.from(raw)]), { store: folderWriter(blobDir) });
    expect(msg.text).toBe('See the photo.');
    expect(msg.attachments).toMatchObject([{ filename: 'attachment-1.png', contentType: 'image/png', inline: true }]);
  });
});

describe('encoded headers are decoded', () => {
  it('ISO-8859-1 encoded-words and a quoted-printable Latin-1 body', async () => {
    const msg = await parse('headers-iso-8859-1.eml');
    expect(msg.from).toEqual({ address: 'joerg.mueller@acme.example', name: 'Jörg Müller' });
    expect(msg.subject).toBe('Größe des Papierfachs im 3. Stock überprüfen');
    expect(msg.text).toBe(
      'Hallo Support-Team,\n\ndas Papierfach im 3. Stock hat die falsche Größe: es passt nur A4, wir brauchen A3.\n' +
        'Können Sie das prüfen?\n\nViele Grüße\nJörg Müller\n',
    );
  });

  it('UTF-8 encoded-words with emoji and a base64 body', async () => {
    const msg = await parse('headers-utf8.eml');
    expect(msg.from).toEqual({ address: 'ann@acme.example', name: 'Ann Archer 🌻' });
    expect(msg.subject).toBe('🖨️ Drucker streikt – Größe A3 プリンター');
    expect(msg.text).toContain('Hi team 👋');
    expect(msg.text).toContain('„Papierstau – Fach 2“ and a 🔥 icon');
    expect(msg.text).toContain('Yūko Tanaka (田中 優子)');
  });

  it('header() is case-insensitive, unfolded, first value, undefined when absent', async () => {
    const msg = await parse('headers-iso-8859-1.eml');
    expect(headerOf(msg, 'USER-AGENT')).toBe(
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:102.0) Gecko/20100101 Thunderbird/102.15.1',
    );
    expect(headerOf(msg, 'Subject')).toBe(msg.subject);
    expect(headerOf(msg, 'x-not-there')).toBeUndefined();
    const gmail = await parse('reply-gmail-quoted.eml');
    expect(headerOf(gmail, 'received')).toMatch(/^from mail-wr1-f41\.google\.com .*\sby mx\.cases\.localhost \(Postfix\)/);
  });
});

describe('attachments go to the blob store as they stream', () => {
  it('stores the inline image and the PDF with their SHA-256, type and names', async () => {
    const msg = await parse('inline-image-and-attachment.eml');
    const raw = fixture('inline-image-and-attachment.eml').toString('latin1');
    const base64Of = (marker: string): Buffer => {
      const start = raw.indexOf('\r\n\r\n', raw.indexOf(marker)) + 4;
      return Buffer.from(raw.slice(start, raw.indexOf('\r\n\r\n', start)), 'base64');
    };
    const png = base64Of('Content-ID: <image001.png@01DB3E2C.4A5B6C70>');
    const pdf = base64Of('filename="jam-report.pdf"');
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const sha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');
    expect(msg.attachments).toEqual([
      { filename: 'image001.png', contentType: 'image/png', size: png.length, sha256: sha(png), contentId: '<image001.png@01DB3E2C.4A5B6C70>', inline: true, spool: null },
      { filename: 'jam-report.pdf', contentType: 'application/pdf', size: pdf.length, sha256: sha(pdf), contentId: null, inline: false, spool: null },
    ]);
    for (const a of msg.attachments) expect(fs.readFileSync(blobPath(blobDir, a.sha256)).length).toBe(a.size);
    expect(extractReply(msg.text).body).toBe("Here is a photo of the display, and the jam report from the printer's web page.\n\nAnn");
  });

  it('stores identical content once, however often it arrives', async () => {
    const first = await parse('inline-image-and-attachment.eml');
    const second = await parse('inline-image-and-attachment.eml');
    expect(second.attachments).toEqual(first.attachments);
    expect(storedFiles().filter((f) => !f.startsWith('tmp'))).toHaveLength(2);
    expect(fs.readdirSync(path.join(blobDir, 'tmp'))).toEqual([]);
  });
});

describe('auto-replies keep the headers that give them away', () => {
  it('out-of-office.eml is detected as an auto-reply', async () => {
    const msg = await parse('out-of-office.eml');
    expect(msg.subject).toBe(`Automatic reply: ${SUBJECT}`);
    expect(headerOf(msg, 'X-Auto-Response-Suppress')).toBe('All');
    const reason = detectAutoReply({ header: (name) => headerOf(msg, name), mailFrom: '', fromAddress: msg.from?.address ?? null });
    expect(reason).toBe('Auto-Submitted: auto-replied');
  });

  it('a request from a person is not', async () => {
    const msg = await parse('new-case-request.eml');
    expect(detectAutoReply({ header: (name) => headerOf(msg, name), mailFrom: 'ann@acme.example', fromAddress: msg.from?.address ?? null })).toBeNull();
  });
});

describe('the parsed message is plain data', () => {
  it('survives a structured clone (as across a worker thread) with every field, headers by lower-cased name', async () => {
    const msg = await parse('out-of-office.eml');
    const copy = structuredClone(msg);
    expect(copy).toEqual(msg);
    expect(headerOf(copy, 'X-Auto-Response-Suppress')).toBe('All');
    expect(Object.keys(msg.headers).every((k) => k === k.toLowerCase())).toBe(true);
  });

  it('a header named like a property of every object is only that header', async () => {
    const raw = 'From: ann@acme.example\r\nConstructor: built\r\n__proto__: polluted\r\nSubject: x\r\n\r\nbody\r\n';
    const msg = await parseMessage(Readable.from([Buffer.from(raw)]), { store: folderWriter(blobDir) });
    expect(headerOf(msg, 'constructor')).toBe('built');
    expect(headerOf(msg, '__proto__')).toBe('polluted');
    expect(headerOf(msg, 'toString')).toBeUndefined();
    expect(headerOf(structuredClone(msg), 'hasOwnProperty')).toBeUndefined();
  });
});

describe('delivery status notifications', () => {
  const expectedReport = {
    originalMessageId: '<abcdefghijklmnopqrstuvwx@cases.localhost>',
    recipients: [
      {
        recipient: 'carol@gone.example',
        action: 'failed',
        status: '5.1.1',
        diagnostic: '550 5.1.1 <carol@gone.example>: Recipient address rejected: User unknown in local recipient table',
      },
    ],
  };

  it('dsn-bounce.eml (Postfix) is read into a report; its report parts are not attachments', async () => {
    const msg = await parse('dsn-bounce.eml');
    expect(msg.dsn).toEqual(expectedReport);
    expect(msg.attachments).toEqual([]);
    expect(msg.from).toEqual({ address: 'MAILER-DAEMON@relay.acme-support.example', name: 'Mail Delivery System' });
    expect(msg.text).toContain('This is the mail system at host relay.acme-support.example.');
    expect(msg.text).not.toContain('Reporting-MTA');
    expect(storedFiles()).toEqual([]);
  });

  it('reads the Message-ID from a returned message/rfc822 part too', async () => {
    const raw = fixture('dsn-bounce.eml').toString('utf8').replace('Content-Type: text/rfc822-headers', 'Content-Type: message/rfc822');
    const msg = await parseMessage(Readable.from([Buffer.from(raw)]), { store: folderWriter(blobDir) });
    expect(msg.dsn).toEqual(expectedReport);
    expect(msg.attachments).toEqual([]);
  });

  it('other mail has no report', async () => {
    expect((await parse('out-of-office.eml')).dsn).toBeNull();
  });
});

describe('what is not a message', () => {
  it('malformed.eml (binary bytes, no header lines) is refused as malformed', async () => {
    await expect(parse('malformed.eml')).rejects.toThrow(MalformedMessageError);
    await expect(parse('malformed.eml')).rejects.toThrow('message has no header section');
  });

  it('empty input is refused as malformed', async () => {
    await expect(parseMessage(Readable.from([]), { store: folderWriter(blobDir) })).rejects.toThrow('message is empty (0 bytes)');
  });

  it('a body without any header line is refused', async () => {
    const err = await parseMessage(Readable.from([Buffer.from('\r\njust a body\r\n')]), { store: folderWriter(blobDir) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MalformedMessageError);
  });

  it('a message without From is not malformed: from is null', async () => {
    const msg = await parseMessage(Readable.from([Buffer.from('Subject: hello\r\n\r\nbody\r\n')]), { store: folderWriter(blobDir) });
    expect(msg.from).toBeNull();
    expect(msg.subject).toBe('hello');
    expect(msg.messageId).toBeNull();
    expect(msg.text).toBe('body\n');
  });
});

describe('text kept of a huge body (bench/fuzzRss.ts: a 30 MB text part drove the peak memory)', () => {
  const msgOf = (contentType: string, body: string): Readable =>
    Readable.from([Buffer.from(`From: a@example.com\r\nSubject: long\r\nContent-Type: ${contentType}; charset=utf-8\r\n\r\n${body}\r\n`)]);

  it(`keeps ${TEXT_MAX_CHARS} characters of a longer text, with a mark that says the rest was not kept`, async () => {
    const line = 'the printer is still jammed\r\n';
    const msg = await parseMessage(msgOf('text/plain', line.repeat(Math.ceil((TEXT_MAX_CHARS * 2) / line.length))), { store: folderWriter(blobDir) });
    expect(msg.text).toHaveLength(TEXT_MAX_CHARS + TEXT_CUT_MARK.length);
    expect(msg.text.endsWith(TEXT_CUT_MARK)).toBe(true);
    expect(msg.text.startsWith('the printer is still jammed\n')).toBe(true);
  });

  it('keeps a text at the limit whole', async () => {
    // With the line end the body ends in, exactly TEXT_MAX_CHARS characters.
    const msg = await parseMessage(msgOf('text/plain', 'x'.repeat(TEXT_MAX_CHARS - 1)), { store: folderWriter(blobDir) });
    expect(msg.text).toBe(`${'x'.repeat(TEXT_MAX_CHARS - 1)}\n`);
    expect(msg.text).not.toContain(TEXT_CUT_MARK);
  });

  it(`turns at most ${HTML_MAX_CHARS} characters of an HTML-only body into text`, async () => {
    const p = '<p>still jammed</p>\r\n';
    const msg = await parseMessage(msgOf('text/html', `<html><body>${p.repeat(Math.ceil((HTML_MAX_CHARS * 2) / p.length))}</body></html>`), { store: folderWriter(blobDir) });
    expect(msg.text.startsWith('still jammed')).toBe(true);
    expect(msg.text.length).toBeLessThanOrEqual(HTML_MAX_CHARS);
    expect(msg.text.length).toBeGreaterThan(HTML_MAX_CHARS / 4);
  });
});
