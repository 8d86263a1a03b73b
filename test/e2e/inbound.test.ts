// SPEC §4 over a real socket: each rule checks the SMTP answer and what is (or is not) stored.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, BOB, EVE, SUPPORT, closeCase, countRows, createCase, showCase } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { query } from '../helpers/testDb.js';

let gw: Gateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

const comments = (g: Gateway) => countRows(g.db, 'comments', 'source = ?', 'email');

describe('RCPT: only routing, system From, live case and bounce addresses', () => {
  it('refuses an unknown mailbox of our domain with 550 5.1.1 and a foreign domain with 550 5.7.1', async () => {
    gw = await startGateway();
    const unknown = await gw.send(mail({ from: ANN }), { from: ANN, to: ['nobody@cases.localhost'] });
    expect(unknown.code).toBe(550);
    expect(unknown.response).toMatch(/5\.1\.1 .*will not be processed/);
    const foreign = await gw.send(mail({ from: ANN }), { from: ANN, to: ['someone@elsewhere.example'] });
    expect(foreign.code).toBe(550);
    expect(foreign.response).toMatch(/5\.7\.1 relaying denied/);
    const badToken = await gw.send(mail({ from: ANN }), { from: ANN, to: ['case+aaaaaaaaaaaaaaaaaaaaaaaa@cases.localhost'] });
    expect(badToken.code).toBe(550);
    expect(await countRows(gw.db, 'inbound')).toBe(0);
  });

  it('answers 452 past the recipient cap and still delivers to the accepted ones', async () => {
    gw = await startGateway({ CASEGATE_MAX_RECIPIENTS: '1' });
    const r = await gw.send(mail({ from: ANN }), { from: ANN, to: [gw.caseAddress, SUPPORT] });
    expect(r.code).toBe(250);
    expect(r.rejected).toEqual([expect.objectContaining({ recipient: SUPPORT, code: 452 })]);
    expect(await comments(gw)).toBe(1);
  });
});

describe('The SMTP transaction is the unit of work', () => {
  it('stores nothing when one recipient takes the message and another refuses it, and says why', async () => {
    gw = await startGateway();
    const other = await createCase(gw.db, gw.config, { subject: 'Bob only', contact: BOB });
    const r = await gw.send(mail({ from: ANN }), { from: ANN, to: [gw.caseAddress, other.address] });
    expect(r.code).toBe(550);
    expect(r.response).toMatch(/this sender may not reply here; .*so the message was not stored for any of its recipients/);
    expect(await comments(gw)).toBe(0);
    expect(await countRows(gw.db, 'inbound', "decision = 'refused'")).toBe(2);
  });
});

describe('Which case', () => {
  it('takes the case address in the recipient', async () => {
    gw = await startGateway();
    const r = await gw.send(mail({ from: ANN, to: gw.caseAddress, subject: 'no tag here' }), { from: ANN, to: [gw.caseAddress] });
    expect(r.code).toBe(250);
    expect(r.response).toContain(`added to case ${gw.caseNumber}`);
    expect((await showCase(gw.db, gw.config, gw.caseNumber)).comments.map((c) => c.body)).toEqual(['It is still jammed after the restart.']);
  });

  it('on a routing address, follows a Message-ID of ours in In-Reply-To', async () => {
    gw = await startGateway();
    // Bob's own notification (the history email he got when added).
    const ours = (await query(gw.db, 'SELECT message_id AS id FROM outbox WHERE recipient = ? ORDER BY id LIMIT 1', [BOB]))[0] as { id: string };
    const r = await gw.send(mail({ from: BOB, subject: 'Re: printer', headers: { 'In-Reply-To': ours.id, References: ours.id } }), { from: BOB, to: [SUPPORT] });
    expect(r.response).toContain(`added to case ${gw.caseNumber}`);
    expect(await countRows(gw.db, 'cases')).toBe(1);
  });

  it('takes a reply to the system From address by our Message-ID, and refuses one without it with a hint', async () => {
    gw = await startGateway();
    const from = gw.config.from;
    const ours = (await query(gw.db, 'SELECT message_id AS id FROM outbox ORDER BY id LIMIT 1'))[0] as { id: string };
    const reply = await gw.send(mail({ from: ANN, to: from, subject: 'Re: printer', headers: { 'In-Reply-To': ours.id, References: ours.id } }), { from: ANN, to: [from] });
    expect(reply.code, reply.response).toBe(250);
    expect(reply.response).toContain(`added to case ${gw.caseNumber}`);
    // A stranger who threads through our Message-ID is still not a participant.
    const eve = await gw.send(mail({ from: EVE, to: from, subject: 'Re: printer', headers: { 'In-Reply-To': ours.id } }), { from: EVE, to: [from] });
    expect(eve.code).toBe(550);
    const fresh = await gw.send(mail({ from: ANN, to: from, subject: 'New question' }), { from: ANN, to: [from] });
    expect(fresh.code).toBe(550);
    expect(fresh.response).toMatch(/5\.7\.1 <support@cases\.localhost> takes only replies to our case notifications.*write to the support address/);
    expect(await countRows(gw.db, 'cases')).toBe(1);
    expect((await showCase(gw.db, gw.config, gw.caseNumber)).comments).toHaveLength(1);
  });

  it('on a routing address, never adds to a case by a [Case NNNNNNNN] subject tag without an authenticated sender', async () => {
    // Sender authentication is off here (test/helpers/gateway.ts): nothing passes DMARC, so the tag
    // of a participant opens a case beside the tagged one; test/e2e/senderAuth.test.ts has the pass.
    gw = await startGateway();
    const ok = await gw.send(mail({ from: ANN, subject: `Re: [Case ${gw.caseNumber}] printer` }), { from: ANN, to: [SUPPORT] });
    expect(ok.response).toMatch(/opened case 00001002$/);
    expect((await showCase(gw.db, gw.config, '00001002')).parent).toBe(gw.caseNumber);
    const other = await gw.send(mail({ from: EVE, subject: `Re: [Case ${gw.caseNumber}] printer` }), { from: EVE, to: [SUPPORT] });
    expect(other.code).toBe(250);
    expect(other.response).toMatch(/opened case 00001003/);
    expect((await showCase(gw.db, gw.config, '00001003')).parent).toBeNull();
    expect(await countRows(gw.db, 'comments', 'case_id = 1 AND source = ?', 'email')).toBe(0);
  });

  it('follows only Message-IDs of ours: a reply to the customer\'s own first mail opens a new case', async () => {
    gw = await startGateway();
    await gw.send(mail({ from: ANN, subject: 'Scanner is offline', messageId: '<own-1@mail.acme.example>' }), { from: ANN, to: [SUPPORT] });
    const r = await gw.send(mail({ from: ANN, subject: 'Re: Scanner is offline', headers: { 'In-Reply-To': '<own-1@mail.acme.example>' } }), { from: ANN, to: [SUPPORT] });
    expect(r.response).toMatch(/opened case 00001003/);
  });

  it('opens a new case on a routing address, linked to the one matching contact', async () => {
    gw = await startGateway();
    const r = await gw.send(mail({ from: 'Ann Archer <ANN@acme.example>', subject: 'Scanner is offline', body: 'The scanner shows offline.' }), { from: ANN, to: [SUPPORT] });
    expect(r.response).toMatch(/opened case 00001002/);
    const c = await showCase(gw.db, gw.config, '00001002');
    expect(c).toMatchObject({ subject: 'Scanner is offline', origin: 'Email', status: 'New', contact: { email: ANN }, description: 'The scanner shows offline.' });
    expect(c.comments).toHaveLength(1);
    expect(await countRows(gw.db, 'outbox', "case_id = 2 AND kind = 'case-created' AND recipient = ?", ANN)).toBe(1);
  });

  it('leaves a case from an unknown sender unlinked, with suggestions, unless create contacts is on', async () => {
    gw = await startGateway();
    await gw.send(mail({ from: 'Ann Archer <ann.archer@gmail.example>', subject: 'Help' }), { from: 'ann.archer@gmail.example', to: [SUPPORT] });
    const c = await showCase(gw.db, gw.config, '00001002');
    expect(c.contact).toBeNull();
    expect(c.suppliedEmail).toBe('ann.archer@gmail.example');
    expect(c.suggestedContacts.map((s) => s.email)).toEqual([ANN]);
    await gw.close();
    gw = await startGateway({}, { createContacts: true });
    await gw.send(mail({ from: 'Carol Chen <carol@new.example>', subject: 'Help' }), { from: 'carol@new.example', to: [SUPPORT] });
    const made = await showCase(gw.db, gw.config, '00001002');
    expect(made.contact).toMatchObject({ email: 'carol@new.example', name: 'Carol Chen' });
  });
});

describe('Who: the sender must be the contact or a collaborator', () => {
  it('refuses anyone else with 550 5.7.1 naming no case and no person, and stores no comment', async () => {
    gw = await startGateway();
    const r = await gw.send(mail({ from: EVE }), { from: EVE, to: [gw.caseAddress] });
    expect(r.code).toBe(550);
    expect(r.response).toContain('5.7.1 this sender may not reply here');
    expect(r.response).not.toContain(gw.caseNumber);
    expect(r.response).not.toMatch(/acme\.example|evil\.example/);
    expect(await comments(gw)).toBe(0);
    expect(await countRows(gw.db, 'inbound', "decision = 'refused'")).toBe(1);
  });

  it('takes a collaborator', async () => {
    gw = await startGateway();
    const r = await gw.send(mail({ from: `Bob Baker <${BOB}>` }), { from: BOB, to: [gw.caseAddress] });
    expect(r.code).toBe(250);
    expect(await countRows(gw.db, 'outbox', "kind = 'comment' AND recipient = ?", ANN)).toBe(1);
    expect(await countRows(gw.db, 'outbox', "kind = 'comment' AND recipient = ?", BOB)).toBe(0);
  });
});

describe("Who: a comment's author is the participant's address as we know it", () => {
  it('a From in other letter case (forged or not) is stored as the contact, collaborator or matched contact is stored', async () => {
    gw = await startGateway();
    const ann = await gw.send(mail({ from: 'ANN ARCHER <ANN@ACME.EXAMPLE>', body: 'Shouting.' }), { from: ANN, to: [gw.caseAddress] });
    expect(ann.response).toContain(`added to case ${gw.caseNumber}`);
    const bob = await gw.send(mail({ from: 'Bob@Acme.Example', body: 'Bob here.' }), { from: BOB, to: [gw.caseAddress] });
    expect(bob.response).toContain(`added to case ${gw.caseNumber}`);
    expect((await showCase(gw.db, gw.config, gw.caseNumber)).comments.map((c) => c.author)).toEqual([ANN, BOB]);
    // New mail from a known contact: the case and its first comment are the contact's.
    const fresh = await gw.send(mail({ from: 'ANN@ACME.EXAMPLE', subject: 'Scanner is offline' }), { from: ANN, to: [SUPPORT] });
    expect(fresh.response).toMatch(/opened case 00001002$/);
    expect((await showCase(gw.db, gw.config, '00001002')).comments.map((c) => c.author)).toEqual([ANN]);
    // The inbound log keeps what arrived.
    expect(await countRows(gw.db, 'inbound', 'from_addr = ?', 'ANN@ACME.EXAMPLE')).toBe(2);
  });
});

describe('Auto-replies and loops are never turned into comments', () => {
  const cases: Array<[string, Record<string, string>, string?]> = [
    ['Auto-Submitted: auto-replied', { 'Auto-Submitted': 'auto-replied' }],
    ['Precedence: bulk', { Precedence: 'bulk' }],
    ['X-Autoreply', { 'X-Autoreply': 'yes' }],
    ['X-Auto-Response-Suppress', { 'X-Auto-Response-Suppress': 'All' }],
    ['our loop header', { 'X-Casegate-Loop': 'cases.localhost' }],
    ['a null return path', {}, ''],
    ['a MAILER-DAEMON sender', {}, 'MAILER-DAEMON@acme.example'],
  ];
  for (const [name, headers, envelopeFrom] of cases) {
    it(`drops mail with ${name}: 250, logged as ignored, no comment`, async () => {
      gw = await startGateway();
      const r = await gw.send(mail({ from: ANN, headers }), { from: envelopeFrom ?? ANN, to: [gw.caseAddress] });
      expect(r.code).toBe(250);
      expect(await comments(gw)).toBe(0);
      expect(await countRows(gw.db, 'inbound', "decision = 'ignored'")).toBe(1);
    });
  }

  it('counts messages, not recipients: 15 alike messages to two cases are all taken', async () => {
    gw = await startGateway();
    const second = await createCase(gw.db, gw.config, { subject: 'Second printer', contact: ANN });
    const codes: number[] = [];
    for (let i = 0; i < 16; i++) {
      codes.push((await gw.send(mail({ from: ANN, body: 'Same text every time' }), { from: ANN, to: [gw.caseAddress, second.address] })).code);
    }
    expect(codes.slice(0, 15)).toEqual(Array(15).fill(250));
    expect(codes[15]).toBe(550);
    expect(await comments(gw)).toBe(30);
  });

  it('refuses the 16th message with the same sender, subject and body within 60 seconds', async () => {
    gw = await startGateway();
    const codes: number[] = [];
    for (let i = 0; i < 16; i++) {
      codes.push((await gw.send(mail({ from: ANN, body: 'Same text every time' }), { from: ANN, to: [gw.caseAddress] })).code);
    }
    expect(codes.slice(0, 15).every((c) => c === 250)).toBe(true);
    expect(codes[15]).toBe(550);
    expect(await comments(gw)).toBe(15);
  });
});

describe('Duplicates', () => {
  it('stores the same message delivered twice once, answering 250 both times, also with an extra Received header', async () => {
    gw = await startGateway();
    const raw = mail({ from: ANN, messageId: '<dup-1@mail.acme.example>' });
    expect((await gw.send(raw, { from: ANN, to: [gw.caseAddress] })).code).toBe(250);
    const again = await gw.send(`Received: from relay2.acme.example by mx; ${new Date().toUTCString()}\r\n${raw}`, { from: ANN, to: [gw.caseAddress] });
    expect(again.code).toBe(250);
    expect(again.response).toMatch(/already stored/);
    expect(await comments(gw)).toBe(1);
    expect(await countRows(gw.db, 'inbound', "decision = 'duplicate'")).toBe(1);
  });

  it('opens one case for a first mail delivered twice, and one follow-up for a reply to a closed case', async () => {
    gw = await startGateway({ CASEGATE_CLOSED_CASE_REPLY: 'child' });
    const first = mail({ from: ANN, subject: 'Scanner is offline', messageId: '<first@mail.acme.example>' });
    expect((await gw.send(first, { from: ANN, to: [SUPPORT] })).response).toMatch(/opened case 00001002/);
    expect((await gw.send(first, { from: ANN, to: [SUPPORT] })).response).toMatch(/already stored/);
    await closeCase(gw.db, gw.config, gw.caseNumber);
    const reply = mail({ from: ANN, messageId: '<late-reply@mail.acme.example>' });
    expect((await gw.send(reply, { from: ANN, to: [gw.caseAddress] })).response).toMatch(/opened follow-up case 00001003/);
    expect((await gw.send(reply, { from: ANN, to: [gw.caseAddress] })).response).toMatch(/already stored/);
    expect(await countRows(gw.db, 'cases')).toBe(3);
  });

  it('does not treat a different message that reuses a Message-ID as a duplicate', async () => {
    gw = await startGateway();
    await gw.send(mail({ from: ANN, messageId: '<reused@mail.acme.example>', body: 'first' }), { from: ANN, to: [gw.caseAddress] });
    await gw.send(mail({ from: ANN, messageId: '<reused@mail.acme.example>', body: 'second' }), { from: ANN, to: [gw.caseAddress] });
    expect(await comments(gw)).toBe(2);
  });
});

describe('Text', () => {
  it('keeps the new text, cuts the quoted history, keeps the full text', async () => {
    gw = await startGateway();
    const body = 'Thanks, that fixed it.\r\n\r\nOn Mon, 23 Nov 2026 at 10:02, Support <support@cases.localhost> wrote:\r\n> Please restart the printer.\r\n';
    await gw.send(mail({ from: ANN, body }), { from: ANN, to: [gw.caseAddress] });
    const row = (await query(gw.db, "SELECT body, full_body FROM comments WHERE source = 'email'"))[0] as { body: string; full_body: string };
    expect(row.body).toBe('Thanks, that fixed it.');
    expect(row.full_body).toContain('Please restart the printer.');
  });

  it('truncates a body over 131,072 characters with a marker', async () => {
    gw = await startGateway();
    const long = ('x'.repeat(75) + '\r\n').repeat(2000);
    await gw.send(mail({ from: ANN, body: long }), { from: ANN, to: [gw.caseAddress] });
    const row = (await query(gw.db, "SELECT body FROM comments WHERE source = 'email'"))[0] as { body: string };
    expect(row.body.length).toBeLessThan(131_072 + 500);
    expect(row.body.slice(0, 131_072)).toBe(long.replace(/\r\n/g, '\n').slice(0, 131_072));
    expect(row.body).toMatch(/more characters cut/);
  });
});

describe('Attachments', () => {
  it('stores each attachment with filename, type, size and SHA-256, once per content, and sends it on', async () => {
    gw = await startGateway();
    const content = Buffer.from('%PDF-1.4\n' + 'report line\n'.repeat(500));
    const sha = createHash('sha256').update(content).digest('hex');
    for (const body of ['report attached', 'same report again']) {
      const r = await gw.send(mail({ from: ANN, body, attachment: { filename: 'report.pdf', contentType: 'application/pdf', content } }), { from: ANN, to: [gw.caseAddress] });
      expect(r.code).toBe(250);
    }
    const c = await showCase(gw.db, gw.config, gw.caseNumber);
    expect(c.comments.map((m) => m.attachments)).toEqual([
      [expect.objectContaining({ filename: 'report.pdf', contentType: 'application/pdf', size: content.length, sha256: sha })],
      [expect.objectContaining({ sha256: sha })],
    ]);
    expect(await countRows(gw.db, 'blobs')).toBe(1);
    expect(await countRows(gw.db, 'outbox', "kind = 'comment' AND recipient = ?", BOB)).toBe(2);
  });

  it('stores a 2 MiB attachment of a large message whole: the stored content is the bytes sent', async () => {
    gw = await startGateway();
    const content = randomBytes(2 * 1024 * 1024);
    const sha = createHash('sha256').update(content).digest('hex');
    const r = await gw.send(mail({ from: ANN, body: 'the full dump', attachment: { filename: 'crash.dump', contentType: 'application/octet-stream', content } }), { from: ANN, to: [gw.caseAddress] });
    expect(r.code).toBe(250);
    const c = await showCase(gw.db, gw.config, gw.caseNumber);
    expect(c.comments[0]?.attachments).toEqual([expect.objectContaining({ filename: 'crash.dump', size: content.length, sha256: sha })]);
    const source = gw.db.blobs.source(sha, content.length);
    const stored = 'path' in source ? await fs.promises.readFile(source.path) : Buffer.concat(await source.content.toArray());
    expect(stored.equals(content)).toBe(true);
  });
});

describe('Closed cases', () => {
  it('reopens a closed case on a reply (status Working)', async () => {
    gw = await startGateway();
    await closeCase(gw.db, gw.config, gw.caseNumber);
    expect((await gw.send(mail({ from: ANN }), { from: ANN, to: [gw.caseAddress] })).response).toMatch(/reopened/);
    expect((await showCase(gw.db, gw.config, gw.caseNumber)).status).toBe('Working');
  });

  it('refuses, or opens a child case, when configured so', async () => {
    gw = await startGateway({ CASEGATE_CLOSED_CASE_REPLY: 'refuse' });
    await closeCase(gw.db, gw.config, gw.caseNumber);
    const refused = await gw.send(mail({ from: ANN }), { from: ANN, to: [gw.caseAddress] });
    expect(refused.code).toBe(550);
    expect(await comments(gw)).toBe(0);
    await gw.close();
    gw = await startGateway({ CASEGATE_CLOSED_CASE_REPLY: 'child' });
    await closeCase(gw.db, gw.config, gw.caseNumber);
    const child = await gw.send(mail({ from: ANN, subject: 'It broke again' }), { from: ANN, to: [gw.caseAddress] });
    expect(child.response).toMatch(/opened follow-up case 00001002/);
    expect(await showCase(gw.db, gw.config, '00001002')).toMatchObject({ parent: gw.caseNumber, contact: { email: ANN } });
    expect((await showCase(gw.db, gw.config, gw.caseNumber)).status).toBe('Closed');
  });
});

describe('Malformed and oversized mail', () => {
  it('refuses a message without a header section with 550 5.6.0 and logs it', async () => {
    gw = await startGateway();
    const r = await gw.send(Buffer.from('\u0000\u0001garbage without headers\r\n'), { from: ANN, to: [gw.caseAddress] });
    expect(r.code).toBe(550);
    expect(await countRows(gw.db, 'inbound', "decision = 'refused'")).toBe(1);
  });

  it('refuses a message over the size limit with 552 and keeps nothing', async () => {
    gw = await startGateway({ CASEGATE_MAX_MESSAGE_BYTES: '20000' });
    const r = await gw.send(mail({ from: ANN, body: 'y'.repeat(30000) }), { from: ANN, to: [gw.caseAddress] });
    expect(r.code).toBe(552);
    expect(await comments(gw)).toBe(0);
  });
});
