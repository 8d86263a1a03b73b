// SPEC §4 Sender trust, sender authentication: real SMTP, real SQLite, a real DNS server of ours on
// loopback (test/helpers/dns.ts) serving SPF, DKIM and DMARC records, and messages signed with RSA
// keys made here. Each rule checks the SMTP answer and what is stored.
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDns, type DnsRecord, type DnsServer } from '../helpers/dns.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, EVE, SUPPORT, addCollaborator, countRows, showCase } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { inboundShow } from '../../src/views/inbound.js';
import { inTx } from '../helpers/testDb.js';

const CAROL = 'carol@partner.example'; // a domain without a DMARC record
const LARS = 'lars@lax.example'; // a domain with p=none

const keys = generateKeyPairSync('rsa', { modulusLength: 1024 });
const privateKey = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicKey = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

/** acme.example: SPF names another server (so mail from 127.0.0.1 fails SPF), DKIM key `sel`, DMARC reject. */
const RECORDS: Record<string, DnsRecord[]> = {
  'acme.example': [{ type: 'TXT', value: 'v=spf1 ip4:192.0.2.1 -all' }],
  'sel._domainkey.acme.example': [{ type: 'TXT', value: `v=DKIM1; k=rsa; p=${publicKey}` }],
  '_dmarc.acme.example': [{ type: 'TXT', value: 'v=DMARC1; p=reject' }],
  'evil.example': [{ type: 'TXT', value: 'v=spf1 ip4:127.0.0.1 -all' }],
  'partner.example': [{ type: 'TXT', value: 'v=spf1 ip4:127.0.0.1 -all' }],
  'lax.example': [{ type: 'TXT', value: 'v=spf1 ip4:192.0.2.1 -all' }],
  '_dmarc.lax.example': [{ type: 'TXT', value: 'v=DMARC1; p=none' }],
};

let dns: DnsServer;
let gw: Gateway | undefined;
beforeAll(async () => {
  dns = await startDns(RECORDS);
  return () => dns.close();
});
afterEach(async () => {
  await gw?.close();
  gw = undefined;
  dns.queries.length = 0;
});

const start = (env: Record<string, string> = {}) => startGateway({ CASEGATE_SENDER_AUTH: 'enforce', CASEGATE_DNS_SERVERS: dns.address, ...env });

/** The message signed by acme.example's key (selector `sel`). */
async function signed(raw: string): Promise<string> {
  const r = await dkimSign(raw, { signatureData: [{ signingDomain: 'acme.example', selector: 'sel', privateKey }] } as Parameters<typeof dkimSign>[1]);
  expect(r.errors).toEqual([]);
  return r.signatures + raw;
}

const lastInbound = async (g: Gateway) => inTx(g.db, inboundShow, String(await countRows(g.db, 'inbound')));
const lastComment = async (g: Gateway, number: string) => (await showCase(g.db, g.config, number)).comments.at(-1);

describe('enforce: a From domain that fails DMARC with p=reject is refused', () => {
  it('refuses a forged From: ann@acme.example from eve@evil.example to the case address with 550 5.7.1 naming no case or person', async () => {
    gw = await start();
    const r = await gw.send(mail({ from: ANN, to: gw.caseAddress }), { from: EVE, to: [gw.caseAddress] });
    expect(r.code).toBe(550);
    expect(r.response).toMatch(/5\.7\.1 .*DMARC policy of reject or quarantine/);
    expect(r.response).not.toContain(gw.caseNumber);
    expect(r.response).not.toContain('ann');
    expect(await countRows(gw.db, 'comments', 'source = ?', 'email')).toBe(0);
    const row = await lastInbound(gw);
    expect(row).toMatchObject({ decision: 'refused', auth: { dmarc: 'fail', spf: 'pass', dkim: 'none', policy: 'reject', source: 'lookup' } });
    expect(dns.queries).toContain('_dmarc.acme.example TXT');
  });

  it('accepts the same mail with a valid DKIM signature of acme.example, and stores the result on the comment', async () => {
    gw = await start();
    const r = await gw.send(await signed(mail({ from: ANN, to: gw.caseAddress })), { from: EVE, to: [gw.caseAddress] });
    expect(r.code).toBe(250);
    expect(r.response).toContain(`added to case ${gw.caseNumber}`);
    expect((await lastComment(gw, gw.caseNumber))?.auth).toMatchObject({ dmarc: 'pass', dkim: 'pass', spf: 'pass', policy: 'reject', source: 'lookup' });
    expect((await lastInbound(gw)).auth).toMatchObject({ dmarc: 'pass', dkim: 'pass' });
  });

  it('refuses on the new-case path too (a routing address)', async () => {
    gw = await start();
    const r = await gw.send(mail({ from: ANN, subject: 'Scanner is offline' }), { from: EVE, to: [SUPPORT] });
    expect(r.code).toBe(550);
    expect(await countRows(gw.db, 'cases')).toBe(1);
  });

  it('accepts a participant from a domain with no DMARC record', async () => {
    gw = await start();
    await addCollaborator(gw.db, gw.config, gw.caseNumber, CAROL);
    const r = await gw.send(mail({ from: CAROL, to: gw.caseAddress }), { from: CAROL, to: [gw.caseAddress] });
    expect(r.code).toBe(250);
    expect((await lastComment(gw, gw.caseNumber))?.auth).toMatchObject({ dmarc: 'none', spf: 'pass', dkim: 'none' });
  });

  it('accepts and records a DMARC failure of a domain with p=none', async () => {
    gw = await start();
    await addCollaborator(gw.db, gw.config, gw.caseNumber, LARS);
    const r = await gw.send(mail({ from: LARS, to: gw.caseAddress }), { from: LARS, to: [gw.caseAddress] });
    expect(r.code).toBe(250);
    expect((await lastComment(gw, gw.caseNumber))?.auth).toMatchObject({ dmarc: 'fail', spf: 'fail', policy: 'none' });
  });

  it('refuses in pipe-less LMTP too, where nothing is known of the client: no SPF, so a forged From fails DMARC', async () => {
    gw = await startGateway({ CASEGATE_SENDER_AUTH: 'enforce', CASEGATE_DNS_SERVERS: dns.address }, { lmtp: true });
    const r = await gw.send(mail({ from: ANN, to: gw.caseAddress }), { from: EVE, to: [gw.caseAddress] });
    expect(r.rejected).toEqual([expect.objectContaining({ code: 550 })]);
    expect((await lastInbound(gw)).auth).toMatchObject({ dmarc: 'fail', spf: 'none' });
    expect(dns.queries).not.toContain('evil.example TXT');
  });
});

describe('the resolver', () => {
  it('keeps an answer: a second message from the same domains asks nothing again', async () => {
    gw = await start();
    await addCollaborator(gw.db, gw.config, gw.caseNumber, CAROL);
    for (const body of ['first', 'second']) {
      const r = await gw.send(mail({ from: CAROL, to: gw.caseAddress, body }), { from: CAROL, to: [gw.caseAddress] });
      expect(r.code).toBe(250);
    }
    expect(dns.queries.filter((q) => q === '_dmarc.partner.example TXT')).toHaveLength(1);
    expect(dns.queries.filter((q) => q === 'partner.example TXT')).toHaveLength(1);
  });
});

describe('record and off', () => {
  it('record stores the failure and does not refuse', async () => {
    gw = await start({ CASEGATE_SENDER_AUTH: 'record' });
    const r = await gw.send(mail({ from: ANN, to: gw.caseAddress }), { from: EVE, to: [gw.caseAddress] });
    expect(r.code).toBe(250);
    expect((await lastComment(gw, gw.caseNumber))?.auth).toMatchObject({ dmarc: 'fail', policy: 'reject' });
  });

  it('off looks nothing up: the DNS server sees no question, and nothing is stored', async () => {
    gw = await start({ CASEGATE_SENDER_AUTH: 'off' });
    const r = await gw.send(mail({ from: ANN, to: gw.caseAddress }), { from: EVE, to: [gw.caseAddress] });
    expect(r.code).toBe(250);
    expect(dns.queries).toEqual([]);
    expect((await lastComment(gw, gw.caseNumber))?.auth).toBeNull();
    expect((await lastInbound(gw)).auth).toBeNull();
  });
});

describe('the subject-tag path needs a DMARC pass', () => {
  const tagged = (g: Gateway) => `Re: [Case ${g.caseNumber}] printer`;

  it('a tag from a collaborator without a DMARC pass opens a new case whose parent is the tagged case', async () => {
    gw = await start();
    await addCollaborator(gw.db, gw.config, gw.caseNumber, CAROL);
    const r = await gw.send(mail({ from: CAROL, subject: tagged(gw) }), { from: CAROL, to: [SUPPORT] });
    expect(r.code).toBe(250);
    expect(r.response).toMatch(/opened case 00001002$/);
    expect((await showCase(gw.db, gw.config, gw.caseNumber)).children).toEqual(['00001002']);
    expect(await showCase(gw.db, gw.config, '00001002')).toMatchObject({ parent: gw.caseNumber, contact: null });
    expect((await showCase(gw.db, gw.config, gw.caseNumber)).comments).toHaveLength(0);
  });

  it('a tag from the contact with a DMARC pass adds a comment to the tagged case', async () => {
    gw = await start();
    const r = await gw.send(await signed(mail({ from: ANN, subject: tagged(gw) })), { from: ANN, to: [SUPPORT] });
    expect(r.response).toContain(`added to case ${gw.caseNumber}`);
    expect(await countRows(gw.db, 'cases')).toBe(1);
  });

  it('record mode does not follow a tag without a pass either', async () => {
    gw = await start({ CASEGATE_SENDER_AUTH: 'record' });
    const r = await gw.send(mail({ from: ANN, subject: tagged(gw) }), { from: ANN, to: [SUPPORT] });
    expect(r.response).toMatch(/opened case 00001002$/);
    expect(await showCase(gw.db, gw.config, '00001002')).toMatchObject({ parent: gw.caseNumber, contact: { email: ANN } });
  });
});

describe('CASEGATE_TRUSTED_AUTHSERV_ID: the relay that already checked', () => {
  const withResults = (lines: string[], from = ANN, subject?: string) => {
    const m = mail({ from, subject, to: SUPPORT });
    return [...lines.map((l) => `Authentication-Results: ${l}`), m].join('\r\n');
  };

  it("trusts the relay's header instead of lookups: a pass follows the tag, and no DNS question is asked", async () => {
    gw = await start({ CASEGATE_TRUSTED_AUTHSERV_ID: 'relay.test' });
    const raw = withResults(['relay.test; spf=pass smtp.mailfrom=acme.example; dkim=pass header.d=acme.example; dmarc=pass (p=REJECT) header.from=acme.example'], ANN, `Re: [Case ${gw.caseNumber}] printer`);
    const r = await gw.send(raw, { from: ANN, to: [SUPPORT] });
    expect(r.response).toContain(`added to case ${gw.caseNumber}`);
    expect((await lastComment(gw, gw.caseNumber))?.auth).toEqual({ dmarc: 'pass', spf: 'pass', dkim: 'pass', policy: 'reject', source: 'trusted-relay' });
    expect(dns.queries).toEqual([]);
  });

  it("uses only the topmost header of that relay: another authserv-id's pass, and a lower one of the relay, are ignored", async () => {
    gw = await start({ CASEGATE_TRUSTED_AUTHSERV_ID: 'relay.test' });
    const raw = withResults([
      'evil.test; dmarc=pass header.from=acme.example',
      'relay.test; spf=fail smtp.mailfrom=evil.example; dmarc=fail (p=REJECT sp=REJECT) header.from=acme.example',
      'relay.test; dmarc=pass header.from=acme.example',
    ]);
    const r = await gw.send(raw, { from: EVE, to: [SUPPORT] });
    expect(r.code).toBe(550);
    expect((await lastInbound(gw)).auth).toEqual({ dmarc: 'fail', spf: 'fail', dkim: 'none', policy: 'reject', source: 'trusted-relay' });
  });

  it('ignores a forged header of another authserv-id and looks up instead', async () => {
    gw = await start({ CASEGATE_TRUSTED_AUTHSERV_ID: 'relay.test' });
    const r = await gw.send(withResults(['evil.test; spf=pass; dkim=pass; dmarc=pass header.from=acme.example']), { from: EVE, to: [SUPPORT] });
    expect(r.code).toBe(550);
    expect((await lastInbound(gw)).auth).toMatchObject({ dmarc: 'fail', source: 'lookup' });
  });
});

describe('a resolver that never answers', () => {
  it('gives no result within the bound: the message is neither refused for it nor passed', async () => {
    const silent = await startDns(RECORDS, { silent: true });
    try {
      gw = await startGateway({ CASEGATE_SENDER_AUTH: 'enforce', CASEGATE_DNS_SERVERS: silent.address });
      const r = await gw.send(mail({ from: ANN, to: gw.caseAddress }), { from: EVE, to: [gw.caseAddress] });
      expect(r.code).toBe(250);
      expect((await lastComment(gw, gw.caseNumber))?.auth).toMatchObject({ dmarc: 'temperror', spf: 'temperror' });
      expect(silent.queries.length).toBeGreaterThan(0);
    } finally {
      await silent.close();
    }
  });
});
