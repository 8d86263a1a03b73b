// SPEC §4 *Sender trust* over real sockets: every notification offers its recipient's own reply
// address; a reply through it, or threaded through a Message-ID of ours, is taken only from that
// participant; a removed collaborator's address is gone; the case-level address keeps working, a
// notification older than reply addresses threads for the person it was sent to; the thread root
// that every notification names proves nobody; exactly one author per message (fixtures/authors/).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, BOB, EVE, SUPPORT, addCollaborator, countRows, showCase } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { startCaptureServer, type CaptureServer } from '../helpers/capture.js';
import { runCli } from '../helpers/cli.js';
import { startDns, type DnsServer } from '../helpers/dns.js';
import { createDispatcher, type Dispatcher } from '../../src/outbound/dispatcher.js';
import { createSmtpTransport } from '../../src/outbound/transport.js';
import { actorFor, removeCollaborator } from '../../src/cases/collaborators.js';
import { requireCase } from '../../src/cases/find.js';
import { insertOutbox } from '../../src/db/outbox.js';
import { newMessageToken, outboundMessageId } from '../../src/domain/mailNames.js';
import { inTx, query } from '../helpers/testDb.js';

const CAROL = 'carol@partner.example';
const AUTHORS = path.resolve(import.meta.dirname, '../../fixtures/authors');

let gw: Gateway | undefined;
let capture: CaptureServer | undefined;
let dispatcher: Dispatcher | undefined;
let dns: DnsServer | undefined;
afterEach(async () => {
  await dispatcher?.stop();
  await gw?.close();
  await capture?.close();
  await dns?.close();
  gw = capture = dispatcher = dns = undefined;
});

interface Sent {
  to: string;
  replyTo: string;
  messageId: string;
  inReplyTo: string;
  references: string[];
  text: string;
}

/** The gateway (Ann contact, Bob and Carol collaborators) with a dispatcher to a capture server. */
async function start(env: Record<string, string> = {}): Promise<{ g: Gateway; flush: () => Promise<Sent[]> }> {
  const g = (gw = await startGateway(env));
  await addCollaborator(g.db, g.config, g.caseNumber, CAROL);
  capture = await startCaptureServer();
  const d = (dispatcher = createDispatcher({ db: g.db, config: g.config, transport: createSmtpTransport(capture.url) }));
  let seen = 0;
  const flush = async (): Promise<Sent[]> => {
    await d.runOnce();
    const got = (capture as CaptureServer).accepted().slice(seen);
    seen += got.length;
    return Promise.all(
      got.map(async (m) => {
        const p = await simpleParser(m.raw);
        return {
          to: m.rcptTo[0] ?? '',
          replyTo: p.replyTo?.value[0]?.address ?? '',
          messageId: p.messageId ?? '',
          inReplyTo: p.inReplyTo ?? '',
          references: [p.references ?? []].flat(),
          text: p.text ?? '',
        };
      }),
    );
  };
  return { g, flush };
}

const to = (sent: readonly Sent[], who: string): Sent => {
  const found = sent.filter((s) => s.to === who);
  if (found.length !== 1) throw new Error(`expected one message to ${who}, got ${found.length}`);
  return found[0] as Sent;
};

const emailComments = (g: Gateway): Promise<number> => countRows(g.db, 'comments', "source = 'email'");

describe('every notification offers its recipient their own reply address', () => {
  it('one per participant and case, the same in later notifications, naming no case and no person', async () => {
    const { g, flush } = await start();
    const first = await flush();
    expect(first.map((s) => s.to).sort()).toEqual([ANN, BOB, CAROL].sort());
    const r = await g.send(mail({ from: ANN, to: g.caseAddress, body: 'Tray 2 jams again.' }), { from: ANN, to: [g.caseAddress] });
    expect(r.code).toBe(250);
    const second = await flush();
    expect(second.map((s) => s.to).sort()).toEqual([BOB, CAROL].sort());

    const all = [...first, ...second];
    for (const s of all) {
      expect(s.replyTo).toMatch(/^case\+[a-z0-9]{20,}@cases\.localhost$/);
      expect(s.replyTo).not.toBe(g.caseAddress);
      expect(s.replyTo).not.toContain(g.caseNumber);
      expect(s.replyTo).not.toContain(s.to.split('@')[0] as string);
      expect(s.text).toContain(s.replyTo);
      expect(s.text).not.toContain(g.caseAddress);
    }
    expect(new Set(first.map((s) => s.replyTo)).size).toBe(3);
    expect(to(second, BOB).replyTo).toBe(to(first, BOB).replyTo);
    expect(to(second, CAROL).replyTo).toBe(to(first, CAROL).replyTo);
    expect(new Set(all.map((s) => s.messageId)).size).toBe(all.length);
  });
});

describe("a reply through one participant's address or Message-ID is theirs only", () => {
  it("Carol through Ann's address is refused 550 5.7.1 naming no case and no address; through the case address she is taken", async () => {
    const { g, flush } = await start();
    const ann = to(await flush(), ANN);
    const forged = await g.send(mail({ from: `Carol <${CAROL}>`, to: ann.replyTo, body: 'Close it.' }), { from: CAROL, to: [ann.replyTo] });
    expect(forged.code).toBe(550);
    expect(forged.response).toMatch(/^550 5\.7\.1 /);
    expect(forged.response).not.toContain(g.caseNumber);
    expect(forged.response).not.toMatch(/@|acme|partner/);
    expect(await emailComments(g)).toBe(0);
    // The admin's log still knows which case was aimed at.
    expect((await query(g.db, "SELECT case_id AS c, from_addr AS f FROM inbound WHERE decision = 'refused'"))[0]).toEqual({ c: 1, f: CAROL });

    const caseLevel = await g.send(mail({ from: CAROL, to: g.caseAddress, body: 'Carol here.' }), { from: CAROL, to: [g.caseAddress] });
    expect(caseLevel.response).toContain(`added to case ${g.caseNumber}`);
    const own = await g.send(mail({ from: 'Ann Archer <Ann@ACME.example>', to: ann.replyTo, body: 'Ann here.' }), { from: ANN, to: [ann.replyTo] });
    expect(own.response).toContain(`added to case ${g.caseNumber}`);
    expect((await showCase(g.db, g.config, g.caseNumber)).comments.map((c) => c.body)).toEqual(['Carol here.', 'Ann here.']);
  });

  it("threads through Ann's Message-ID (routing address, system From) only for Ann", async () => {
    const { g, flush } = await start();
    const ann = to(await flush(), ANN);
    const thread = { 'In-Reply-To': ann.messageId, References: ann.messageId };
    const system = g.config.from;
    for (const rcpt of [SUPPORT, system]) {
      const carol = await g.send(mail({ from: CAROL, to: rcpt, subject: 'Re: printer', headers: thread }), { from: CAROL, to: [rcpt] });
      expect(carol.code).toBe(550);
      expect(carol.response).not.toContain(g.caseNumber);
      const eve = await g.send(mail({ from: EVE, to: rcpt, subject: 'Re: printer', headers: thread }), { from: EVE, to: [rcpt] });
      expect(eve.code).toBe(550);
    }
    expect(await emailComments(g)).toBe(0);
    expect(await countRows(g.db, 'cases')).toBe(1);
    for (const rcpt of [SUPPORT, system]) {
      const r = await g.send(mail({ from: ANN, to: rcpt, subject: 'Re: printer', headers: thread }), { from: ANN, to: [rcpt] });
      expect(r.response).toContain(`added to case ${g.caseNumber}`);
    }
    expect(await emailComments(g)).toBe(2);
  });

  it("a removed collaborator's address is unknown at RCPT (550 5.1.1), a thread through their old notification is refused, and a new one is issued when they come back", async () => {
    const { g, flush } = await start();
    const bob = to(await flush(), BOB);
    const row = await inTx(g.db, requireCase, g.caseNumber);
    await inTx(g.db, removeCollaborator, row, BOB, await inTx(g.db, actorFor, row, undefined));

    const direct = await g.send(mail({ from: BOB, to: bob.replyTo }), { from: BOB, to: [bob.replyTo] });
    expect(direct.code).toBe(550);
    expect(direct.response).toMatch(/5\.1\.1 .*no such mailbox/);
    const threaded = await g.send(mail({ from: BOB, subject: 'Re: printer', headers: { 'In-Reply-To': bob.messageId } }), { from: BOB, to: [SUPPORT] });
    expect(threaded.code).toBe(550);
    expect(threaded.response).toMatch(/^550 5\.7\.1 /);
    expect(await emailComments(g)).toBe(0);

    await addCollaborator(g.db, g.config, g.caseNumber, BOB);
    const again = to(await flush(), BOB);
    expect(again.replyTo).not.toBe(bob.replyTo);
    const back = await g.send(mail({ from: BOB, to: again.replyTo }), { from: BOB, to: [again.replyTo] });
    expect(back.response).toContain(`added to case ${g.caseNumber}`);
    // The old address stays retired.
    expect((await g.send(mail({ from: BOB, to: bob.replyTo }), { from: BOB, to: [bob.replyTo] })).code).toBe(550);
  });

  it('a notification written before reply addresses offers the case address, and threads only for the person it was sent to', async () => {
    const { g, flush } = await start();
    await flush();
    // The shape rows have after the migration: no reply address.
    const token = newMessageToken();
    const messageId = outboundMessageId(token, g.config.domain);
    const c = await inTx(g.db, requireCase, g.caseNumber);
    await inTx(g.db, insertOutbox, { caseId: c.id, commentId: null, kind: 'case-created', recipient: ANN, recipientLower: ANN, token, messageId, status: 'pending', lastError: null, replyAddressId: null },
      Date.now() - 1,
    );
    const old = to(await flush(), ANN);
    expect(old.messageId).toBe(messageId);
    expect(old.replyTo).toBe(g.caseAddress);
    const thread = { 'In-Reply-To': messageId };
    for (const who of [BOB, EVE]) {
      const r = await g.send(mail({ from: who, subject: 'Re: printer', headers: thread }), { from: who, to: [SUPPORT] });
      expect(r.code, who).toBe(550);
      expect(r.response).toMatch(/^550 5\.7\.1 this sender may not reply here/);
      expect(r.response).not.toContain(g.caseNumber);
    }
    expect(await emailComments(g)).toBe(0);
    const ann = await g.send(mail({ from: 'Ann@Acme.Example', subject: 'Re: printer', headers: thread }), { from: ANN, to: [SUPPORT] });
    expect(ann.response).toContain(`added to case ${g.caseNumber}`);
    expect(await countRows(g.db, 'cases')).toBe(1);
  });
});

describe('the thread root that every notification names proves nobody', () => {
  /** Carol's notification (her history email); then Carol is removed from the case. */
  async function carolRemoved(env: Record<string, string> = {}) {
    const { g, flush } = await start(env);
    const sent = await flush();
    const carol = to(sent, CAROL);
    const root = carol.references[0] as string;
    const row = await inTx(g.db, requireCase, g.caseNumber);
    await inTx(g.db, removeCollaborator, row, CAROL, await inTx(g.db, actorFor, row, undefined));
    return { g, sent, root };
  }
  const rootOnly = (root: string) => ({ 'In-Reply-To': root, References: root });

  it('is the same in every notification of the case, and names no recipient', async () => {
    const { sent, root } = await carolRemoved();
    expect(root).toMatch(/^<case\.\d{8}\.[a-z0-9]+@cases\.localhost>$/);
    for (const s of sent) {
      expect(s.inReplyTo).toBe(root);
      expect(s.references).toEqual([root]);
    }
  });

  it('on a routing address, a removed collaborator writing as Bob through it opens a new case whose parent is that case; nothing lands on the case', async () => {
    const { g, root } = await carolRemoved();
    const r = await g.send(mail({ from: `Bob Baker <${BOB}>`, subject: 'Re: printer', body: 'Close it, we bought a new one.', headers: rootOnly(root) }), {
      from: CAROL,
      to: [SUPPORT],
    });
    expect(r.code).toBe(250);
    expect(r.response).toMatch(/^250 2\.6\.0 opened case 00001002$/);
    expect((await showCase(g.db, g.config, g.caseNumber)).comments).toEqual([]);
    expect(await showCase(g.db, g.config, '00001002')).toMatchObject({ parent: g.caseNumber, contact: { email: BOB } });
  });

  it('on the system From address, the same message is refused 550 5.7.1 naming no case and no person, and nothing is stored', async () => {
    const { g, root } = await carolRemoved();
    const system = g.config.from;
    for (const who of [BOB, ANN]) {
      const r = await g.send(mail({ from: who, to: system, subject: 'Re: printer', headers: rootOnly(root) }), { from: CAROL, to: [system] });
      expect(r.code, who).toBe(550);
      expect(r.response).toMatch(/^550 5\.7\.1 /);
      expect(r.response).not.toContain(g.caseNumber);
      expect(r.response).not.toMatch(/acme\.example|partner\.example/);
    }
    expect(await emailComments(g)).toBe(0);
    expect(await countRows(g.db, 'cases')).toBe(1);
  });

  it('counts for a participant whose From domain passes DMARC, and for nobody else', async () => {
    dns = await startDns({});
    const { g, root } = await carolRemoved({ CASEGATE_SENDER_AUTH: 'enforce', CASEGATE_DNS_SERVERS: dns.address, CASEGATE_TRUSTED_AUTHSERV_ID: 'relay.test' });
    const passing = (from: string, rcpt: string) =>
      `Authentication-Results: relay.test; spf=pass smtp.mailfrom=${from.split('@')[1]}; dmarc=pass header.from=${from.split('@')[1]}\r\n` +
      mail({ from, to: rcpt, subject: 'Re: printer', headers: rootOnly(root) });
    for (const rcpt of [SUPPORT, g.config.from]) {
      const ann = await g.send(passing(ANN, rcpt), { from: ANN, to: [rcpt] });
      expect(ann.response).toContain(`added to case ${g.caseNumber}`);
    }
    expect((await showCase(g.db, g.config, g.caseNumber)).comments.map((c) => c.author)).toEqual([ANN, ANN]);
    // Carol is no participant any more: her own authenticated mail is new mail, not part of the case.
    const carol = await g.send(passing(CAROL, SUPPORT), { from: CAROL, to: [SUPPORT] });
    expect(carol.response).toMatch(/opened case 00001002$/);
    expect((await showCase(g.db, g.config, '00001002')).parent).toBeNull();
    expect((await showCase(g.db, g.config, g.caseNumber)).comments).toHaveLength(2);
  });
});

describe('one author: exactly one From header holding exactly one mailbox', () => {
  const refused = ['two-from-headers', 'two-mailboxes-in-from', 'group-in-from', 'empty-group-in-from'];
  const read = (name: string): Buffer => fs.readFileSync(path.join(AUTHORS, `${name}.eml`));

  it.each(refused)('%s: 550 5.7.1 on the case address and on the routing address, nothing stored', async (name) => {
    gw = await startGateway();
    const g = gw;
    for (const rcpt of [g.caseAddress, SUPPORT]) {
      const r = await g.send(read(name), { from: EVE, to: [rcpt] });
      expect(r.code).toBe(550);
      expect(r.response).toMatch(/^550 5\.7\.1 refused: the (message has 2 From headers|From header holds (2 mailboxes|a group))/);
      expect(r.response).not.toContain(g.caseNumber);
    }
    expect(await emailComments(g)).toBe(0);
    expect(await countRows(g.db, 'cases')).toBe(1);
    expect(await countRows(g.db, 'inbound', "decision = 'refused'")).toBe(2);
  });

  it('one mailbox whose display name holds a comma is one author', async () => {
    gw = await startGateway();
    const r = await gw.send(read('one-author-comma-in-name'), { from: ANN, to: [gw.caseAddress] });
    expect(r.response).toContain(`added to case ${gw.caseNumber}`);
  });

  it('pipe mode exits 77 for each, on the case address', async () => {
    gw = await startGateway();
    for (const name of refused) {
      const r = await runCli(['ingest', '--rcpt', gw.caseAddress, '--mail-from', EVE, path.join(AUTHORS, `${name}.eml`)], { db: gw.config.db });
      expect(r.code, name).toBe(77);
      expect(r.stdout).toMatch(/550 5\.7\.1 refused: /);
    }
    expect(await emailComments(gw)).toBe(0);
  });
});
