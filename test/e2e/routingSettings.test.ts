// SPEC §7 over a real SMTP socket and a real SQLite file: a routing address's accept-from and block
// lists, its rate limit, save-headers, its auto-response, and the same message to two routing
// addresses (aliases) opening one case.
import { afterEach, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, BOB, EVE, SUPPORT, countRows } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { startCaptureServer, headerOf, type CaptureServer } from '../helpers/capture.js';
import { addRoutingAddress, updateRoutingAddress, type RoutingSettingsInput } from '../../src/admin/routing.js';
import { inboundList, inboundShow } from '../../src/views/inbound.js';
import { createDispatcher } from '../../src/outbound/dispatcher.js';
import { createSmtpTransport } from '../../src/outbound/transport.js';
import { inTx, query } from '../helpers/testDb.js';

const HELP = 'help@acme-support.example';

let gw: Gateway | undefined;
let capture: CaptureServer | undefined;
afterEach(async () => {
  await gw?.close();
  await capture?.close();
  gw = capture = undefined;
});

async function gateway(settings: RoutingSettingsInput): Promise<Gateway> {
  gw = await startGateway();
  await inTx(gw.db, updateRoutingAddress, SUPPORT, settings);
  return gw;
}

/** A new message (no thread of ours) to the routing address. */
const newMail = (from: string, subject: string, extra: Parameters<typeof mail>[0] = { from }) =>
  (gw as Gateway).send(mail({ ...extra, from, subject, body: extra.body ?? 'The printer on floor 3 shows E42.' }), { from, to: [SUPPORT] });

const cases = (): Promise<number> => countRows((gw as Gateway).db, 'cases');
const casesFrom = (email: string): Promise<number> => countRows((gw as Gateway).db, 'cases c LEFT JOIN contacts k ON k.id = c.contact_id', 'lower(coalesce(k.email, c.supplied_email)) = ?', email);

describe('accept-from (Salesforce Accept Email From)', () => {
  it('takes mail only from the listed address; anyone else gets 550 5.7.1 and no case', async () => {
    await gateway({ acceptFrom: BOB });
    const before = await cases();
    const refused = await newMail(ANN, 'Printer jam');
    expect(refused.code).toBe(550);
    expect(refused.response).toMatch(/5\.7\.1 this support address takes mail only from the senders it lists/);
    expect(await cases()).toBe(before);
    expect(await countRows(gw!.db, 'comments', 'author_email = ?', ANN)).toBe(0);
    const taken = await newMail(BOB, 'Printer jam');
    expect(taken.code).toBe(250);
    expect(await cases()).toBe(before + 1);
  });

  it('takes an @domain: every address of that domain, not others and not subdomains', async () => {
    await gateway({ acceptFrom: '@acme.example' });
    const before = await cases();
    expect((await newMail(EVE, 'Hello')).code).toBe(550);
    expect((await newMail('joe@mail.acme.example', 'Hello')).code).toBe(550);
    expect((await newMail(`Ann Archer <${ANN.toUpperCase()}>`, 'Hello')).code).toBe(250);
    expect(await cases()).toBe(before + 1);
  });
});

describe('block', () => {
  it('refuses a blocked address and a blocked @domain with 550 5.7.1, naming no case and no person', async () => {
    await gateway({ block: `${ANN},@evil.example` });
    const before = await cases();
    for (const from of [ANN, EVE, 'mallory@evil.example']) {
      const r = await newMail(from, 'Please help');
      expect(r.code).toBe(550);
      expect(r.response).toContain('5.7.1 mail from your address is not accepted at this support address');
      expect(r.response).not.toMatch(/\d{8}|@/);
    }
    expect(await cases()).toBe(before);
    expect((await newMail(BOB, 'Please help')).code).toBe(250);
    const log = await inTx(gw!.db, inboundList, { status: 'refused' });
    expect(log).toHaveLength(3);
    expect(log.every((row) => row.case === null)).toBe(true);
  });

  it('applies to a reply threaded through the routing address, not to a reply to the case address', async () => {
    await gateway({ block: ANN });
    const notification = (await query(gw!.db, "SELECT message_id AS id FROM outbox WHERE kind = 'case-created' AND recipient = ?", [ANN]))[0] as { id: string };
    const reply = (to: string) =>
      gw!.send(mail({ from: ANN, to, subject: 'Re: Printer on floor 3 is jammed', headers: { 'In-Reply-To': notification.id, References: notification.id } }), { from: ANN, to: [to] });
    const throughRouting = await reply(SUPPORT);
    expect(throughRouting.code).toBe(550);
    expect(await countRows(gw!.db, 'comments', 'author_email = ?', ANN)).toBe(0);
    const toCase = await reply(gw!.caseAddress);
    expect(toCase.code).toBe(250);
    expect(toCase.response).toContain(`added to case ${gw!.caseNumber}`);
  });
});

describe('rate limit (Salesforce Requeue)', () => {
  it('answers the 3rd new case from one sender in the hour 451 4.7.1 and keeps nothing of it; another sender still gets through', async () => {
    await gateway({ rateLimit: 2 });
    expect((await newMail(ANN, 'Printer jam')).code).toBe(250);
    expect((await newMail(ANN, 'Scanner broken')).code).toBe(250);
    const before = { cases: await cases(), comments: await countRows(gw!.db, 'comments'), attachments: await countRows(gw!.db, 'attachments'), outbox: await countRows(gw!.db, 'outbox') };
    const third = await newMail(ANN.toUpperCase(), 'Fax jammed', {
      from: ANN,
      attachment: { filename: 'fax.txt', contentType: 'text/plain', content: Buffer.from('FAX ERROR 12\n'.repeat(100)) },
    });
    expect(third.code).toBe(451);
    expect(third.response).toMatch(/4\.7\.1 too many new cases from your address at this support address \(at most 2 an hour\)/);
    expect({ cases: await cases(), comments: await countRows(gw!.db, 'comments'), attachments: await countRows(gw!.db, 'attachments'), outbox: await countRows(gw!.db, 'outbox') }).toEqual(before);
    expect(await countRows(gw!.db, 'blobs')).toBe(0);
    expect(await casesFrom(ANN)).toBe(3); // the seeded case and the two new ones

    expect((await newMail(BOB, 'Fax jammed')).code).toBe(250);
    // A reply to an existing case is no new case: the limit does not apply.
    const reply = await gw!.send(mail({ from: ANN, to: gw!.caseAddress }), { from: ANN, to: [gw!.caseAddress] });
    expect(reply.code).toBe(250);
  });
});

describe('save headers', () => {
  it('keeps the raw header section of accepted mail only when the routing address says so', async () => {
    await gateway({ saveHeaders: false });
    await newMail(ANN, 'Without headers', { from: ANN, headers: { 'X-Trace': 'first-7f3a' } });
    const first = (await inTx(gw!.db, inboundList, { status: 'accepted' }))[0]!;
    expect((await inTx(gw!.db, inboundShow, String(first.id))).headers).toBeNull();

    await inTx(gw!.db, updateRoutingAddress, SUPPORT, { saveHeaders: true });
    await newMail(ANN, 'With headers', { from: ANN, headers: { 'X-Trace': 'second-9b2c' } });
    const second = (await inTx(gw!.db, inboundList, { status: 'accepted' }))[0]!;
    const shown = await inTx(gw!.db, inboundShow, String(second.id));
    expect(shown.subject).toBe('With headers');
    expect(shown.headers).toContain('X-Trace: second-9b2c');
    expect(shown.headers).toMatch(/^Received: |^From: /m);
    expect(shown.headers).not.toContain('The printer on floor 3');
  });
});

const TEMPLATE = [
  'Hello {{contact.firstName}},',
  '',
  'we have your request "{{case.subject}}" as case {{case.number}}.',
  'Write to {{replyAddress}} to add to it.',
].join('\n');

describe('auto-response', () => {
  async function withDispatch(settings: RoutingSettingsInput) {
    await gateway({ autoResponse: TEMPLATE, ...settings });
    capture = await startCaptureServer();
    const dispatcher = createDispatcher({ db: gw!.db, config: gw!.config, transport: createSmtpTransport(capture.url) });
    await dispatcher.runOnce();
    return dispatcher;
  }
  const outboxOf = (kind: string, recipient: string): Promise<number> => countRows(gw!.db, 'outbox', 'kind = ? AND recipient_lower = ?', kind, recipient);

  it('sends the rendered template instead of "case created": one message to the sender, auto-replied, with our loop header and VERP', async () => {
    const dispatcher = await withDispatch({});
    const before = capture!.accepted().length;
    const r = await newMail(`Ann Archer <${ANN}>`, 'Toner empty');
    expect(r.code).toBe(250);
    const number = /opened case (\d{8})/.exec(r.response)?.[1];
    expect(await outboxOf('auto-response', ANN)).toBe(1);
    expect(await countRows(gw!.db, 'outbox o JOIN cases c ON c.id = o.case_id', "c.number = ? AND o.kind = 'case-created'", number)).toBe(0);

    await dispatcher.runOnce();
    await dispatcher.stop();
    const got = capture!.accepted().slice(before);
    expect(got).toHaveLength(1);
    const m = got[0]!;
    expect(m.rcptTo).toEqual([ANN]);
    expect(m.mailFrom).toMatch(new RegExp(`^bounce\\+[a-z0-9]+@${gw!.config.domain.replace(/\./g, '\\.')}$`));
    const parsed = await simpleParser(m.raw);
    const replyTo = parsed.replyTo?.value[0]?.address as string;
    expect(parsed.text).toContain('Hello Ann,');
    expect(parsed.text).toContain(`we have your request "Toner empty" as case ${number}.`);
    expect(parsed.text).toContain(`Write to ${replyTo} to add to it.`);
    expect(parsed.text).not.toContain('{{');
    expect(parsed.subject).toBe(`[Case ${number}] Toner empty`);
    expect(headerOf(m.raw, 'Auto-Submitted')).toBe('auto-replied');
    expect(headerOf(m.raw, 'X-Casegate-Loop')).toBe(gw!.config.domain);
    expect(parsed.to && 'value' in parsed.to ? parsed.to.value.map((a) => a.address) : []).toEqual([ANN]);
    expect(parsed.cc).toBeUndefined();
  });

  it('greets an unknown sender by the first word of the display name', async () => {
    const dispatcher = await withDispatch({});
    const before = capture!.accepted().length;
    await newMail('Carol Chen <carol@partner.example>', 'New laptop');
    await dispatcher.runOnce();
    await dispatcher.stop();
    const parsed = await simpleParser(capture!.accepted()[before]!.raw);
    expect(parsed.text).toContain('Hello Carol,');
  });

  it('with --auto-response-if: sent when the text is in the subject or body (any letter case), else the standard email', async () => {
    await gateway({ autoResponse: TEMPLATE, autoResponseIf: 'Urgent' });
    await newMail(ANN, 'URGENT: printer');
    expect(await outboxOf('auto-response', ANN)).toBe(1);
    await newMail(BOB, 'Printer', { from: BOB, body: 'This is urgent, the printer is on fire.' });
    expect(await outboxOf('auto-response', BOB)).toBe(1);
    await newMail('carol@partner.example', 'Printer');
    expect(await outboxOf('auto-response', 'carol@partner.example')).toBe(0);
    expect(await outboxOf('case-created', 'carol@partner.example')).toBe(1);
  });

  it('goes at most once per sender per hour; the next new case gets the standard email', async () => {
    await gateway({ autoResponse: TEMPLATE });
    const createdBefore = await outboxOf('case-created', ANN);
    await newMail(ANN, 'Printer');
    await newMail(ANN.toUpperCase(), 'Scanner');
    expect(await outboxOf('auto-response', ANN)).toBe(1);
    expect(await outboxOf('case-created', ANN)).toBe(createdBefore + 1);
  });

  it('fails its row, with the reason, when the template was cleared before it was sent', async () => {
    const dispatcher = await withDispatch({});
    await newMail(ANN, 'Toner empty');
    await inTx(gw!.db, updateRoutingAddress, SUPPORT, { autoResponse: null });
    await dispatcher.runOnce();
    await dispatcher.stop();
    const row = (await query(gw!.db, "SELECT status, last_error AS \"lastError\" FROM outbox WHERE kind = 'auto-response'"))[0] as { status: string; lastError: string };
    expect(row.status).toBe('failed');
    expect(row.lastError).toMatch(/no longer has an auto-response/);
  });

  it('is never sent to automatic mail', async () => {
    await gateway({ autoResponse: TEMPLATE });
    const before = { cases: await cases(), outbox: await countRows(gw!.db, 'outbox') };
    const r = await newMail('carol@partner.example', 'Out of office', { from: 'carol@partner.example', headers: { 'Auto-Submitted': 'auto-replied' } });
    expect(r.code).toBe(250);
    expect(r.response).toContain('automatic mail');
    expect({ cases: await cases(), outbox: await countRows(gw!.db, 'outbox') }).toEqual(before);
  });
});

describe('the same message to two routing addresses (aliases)', () => {
  it('opens one case when both addresses are recipients of one SMTP transaction', async () => {
    gw = await startGateway();
    await inTx(gw.db, addRoutingAddress, gw.config, { address: HELP });
    const before = await cases();
    const r = await gw.send(mail({ from: ANN, to: `${SUPPORT}, ${HELP}`, subject: 'Monitor flickers' }), { from: ANN, to: [SUPPORT, HELP] });
    expect(r.code).toBe(250);
    expect(await cases()).toBe(before + 1);
    expect(await countRows(gw.db, 'comments', 'author_email = ?', ANN)).toBe(1);
    expect((await inTx(gw.db, inboundList, {})).slice(0, 2).map((row) => row.decision).sort()).toEqual(['accepted', 'duplicate']);
  });

  it('opens one case for a message without Message-ID to both addresses in one transaction', async () => {
    gw = await startGateway();
    await inTx(gw.db, addRoutingAddress, gw.config, { address: HELP });
    const before = await cases();
    const raw = mail({ from: ANN, to: `${SUPPORT}, ${HELP}`, subject: 'No id' }).replace(/^Message-ID: .*\r\n/m, '');
    expect(raw).not.toContain('Message-ID');
    const r = await gw.send(raw, { from: ANN, to: [SUPPORT, HELP] });
    expect(r.code).toBe(250);
    expect(await cases()).toBe(before + 1);
  });

  it('opens one case when the relay delivers it to each alias separately', async () => {
    gw = await startGateway();
    await inTx(gw.db, addRoutingAddress, gw.config, { address: HELP });
    const before = await cases();
    const raw = mail({ from: ANN, to: `${SUPPORT}, ${HELP}`, subject: 'Monitor flickers' });
    const first = await gw.send(raw, { from: ANN, to: [SUPPORT] });
    const second = await gw.send(raw.replace('From:', `Received: from relay2.acme.example by mx; ${new Date().toUTCString()}\r\nFrom:`), { from: ANN, to: [HELP] });
    expect(first.code).toBe(250);
    expect(second.code).toBe(250);
    expect(second.response).toMatch(/already stored/);
    expect(await cases()).toBe(before + 1);
  });
});
