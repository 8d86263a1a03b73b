// A reply over SMTP becomes a comment, the dispatcher sends it on, and the capture server gets one
// message per other participant, with the reply's attachment intact.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, BOB, addCollaborator, countRows } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { startCaptureServer, type CaptureServer } from '../helpers/capture.js';
import { createDispatcher } from '../../src/outbound/dispatcher.js';
import { createSmtpTransport } from '../../src/outbound/transport.js';

let gw: Gateway | undefined;
let capture: CaptureServer | undefined;
afterEach(async () => {
  await gw?.close();
  await capture?.close();
  gw = capture = undefined;
});

describe('reply → comment → dispatcher → one message per other participant', () => {
  it('delivers the reply with its attachment to every participant but its author', async () => {
    gw = await startGateway();
    await addCollaborator(gw.db, gw.config, gw.caseNumber, 'carol@partner.example');
    capture = await startCaptureServer();
    const dispatcher = createDispatcher({ db: gw.db, config: gw.config, transport: createSmtpTransport(capture.url) });
    await dispatcher.runOnce();
    const before = capture.accepted().length;

    const content = Buffer.from('E42 PAPER JAM TRAY 2\n'.repeat(300));
    const r = await gw.send(mail({ from: `Ann Archer <${ANN}>`, body: 'Photo of the display attached.', attachment: { filename: 'display.txt', contentType: 'text/plain', content } }), {
      from: ANN,
      to: [gw.caseAddress],
    });
    expect(r.code).toBe(250);
    expect(await countRows(gw.db, 'outbox', "kind = 'comment'")).toBe(2);
    const pass = await dispatcher.runOnce();
    await dispatcher.stop();
    expect(pass.sent).toBe(2);

    const got = capture.accepted().slice(before);
    expect(got.map((m) => m.rcptTo).sort()).toEqual([[BOB], ['carol@partner.example']]);
    for (const m of got) {
      const parsed = await simpleParser(m.raw);
      expect(parsed.cc).toBeUndefined();
      expect(parsed.text).toContain('Photo of the display attached.');
      expect(parsed.subject).toBe(`[Case ${gw.caseNumber}] Printer on floor 3 is jammed`);
      const att = parsed.attachments.find((a) => a.filename === 'display.txt');
      expect(att && createHash('sha256').update(att.content).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));
    }
  });
});
