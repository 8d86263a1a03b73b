// The Help portal over real HTTP on 127.0.0.1 (SPEC §11): sign-in by a mailed one-time link (taken
// from its outbox row), sessions and CSRF, who sees which case, collaborators by the rules of §2
// with every refusal in words and nothing stored, comments, attachment downloads, sign-out and the
// one-click unsubscribe of a collaborator's notification. One server for the file; the per-IP
// limit, which ends the server's use, is the last test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createDispatcher } from '../../src/outbound/dispatcher.js';
import { createAccount } from '../../src/admin/accounts.js';
import { createContact } from '../../src/admin/contacts.js';
import { createUser } from '../../src/admin/users.js';
import { redeemSignIn, requestSignIn } from '../../src/cases/portalSignIn.js';
import { outboxById } from '../../src/db/outbox.js';
import { loadNotification } from '../../src/outbound/load.js';
import { composeNotification } from '../../src/outbound/compose.js';
import { FIXED_NOW, startHttp, type HttpGateway } from '../helpers/http.js';
import { ANN, BOB, addCollaborator, addComment, countRows, createCase, showCase } from '../helpers/seed.js';
import { portalUser, signIn, signInLink, type PortalUser } from '../helpers/portal.js';
import { execSql, query } from '../helpers/testDb.js';

const CAROL = 'carol@acme.example'; // help admin of Acme
const DAVE = 'dave@globex.example'; // contact of another account
const NINA = 'nina@acme.example'; // not eligible for support
const IVY = 'ivy@acme.example'; // no longer active
const OUTSIDER = 'max@partner.example'; // no contact at all

let g: HttpGateway;
let daveCase: string;
let ann: PortalUser;

/** What a refusal must leave alone. */
const state = async () => ({
  collaborators: await countRows(g.db, 'collaborators'),
  comments: await countRows(g.db, 'comments'),
  outbox: await countRows(g.db, 'outbox'),
});

beforeAll(async () => {
  g = await startHttp();
  await g.db.transaction(async (tx) => {
    const acme = (await tx.get<{ id: number }>("SELECT id FROM accounts WHERE name = 'Acme'"))!.id;
    const globex = await createAccount(tx, 'Globex');
    await createContact(tx, { account: acme, email: CAROL, firstName: 'Carol', lastName: 'Chen', helpAdmin: true });
    await createContact(tx, { account: acme, email: NINA, firstName: 'Nina', lastName: 'North', eligible: false });
    await createContact(tx, { account: acme, email: IVY, firstName: 'Ivy', lastName: 'Irwin' });
    await createContact(tx, { account: globex.id, email: DAVE, firstName: 'Dave', lastName: 'Dunn' });
    await createUser(tx, { email: 'ops@support.example', name: 'Olga Ops' });
  });
  await execSql(g.db, 'UPDATE contacts SET active = FALSE WHERE email_lower = ?', [IVY]);
  daveCase = (await createCase(g.db, g.config, { subject: 'Globex VPN drops', contact: DAVE })).number;
  await addComment(g.db, g.config, { number: g.caseNumber, as: 'ops@support.example', body: 'Internal: the vendor owes us a part.', internal: true });
  ann = await signIn(g.base, g.db, g.config, ANN);
});
afterAll(async () => {
  await g?.close();
});

describe('sign-in by mail', () => {
  it('answers the same page for a known and an unknown address, and mails a link only to an active, eligible contact', async () => {
    const pages: string[] = [];
    for (const email of [ANN, OUTSIDER, NINA, IVY]) {
      const u = portalUser(g.base);
      await u.get('/help');
      const p = await u.post('/help/sign-in', { email });
      expect(p.status).toBe(200);
      pages.push(p.html);
    }
    expect(new Set(pages).size).toBe(1);
    expect(pages[0]).toContain('If this address has cases with us, we sent a link to it.');
    expect(await signInLink(g.db, g.config, ANN)).not.toBeNull();
    for (const nobody of [OUTSIDER, NINA, IVY]) expect(await signInLink(g.db, g.config, nobody)).toBeNull();
  });

  it('keeps only the hash of a random 256-bit link, which works once and within 15 minutes', async () => {
    const u = portalUser(g.base);
    await u.get('/help');
    await u.post('/help/sign-in', { email: ANN });
    const link = (await signInLink(g.db, g.config, ANN)) as string;
    const token = link.split('/').pop() as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await query<{ tokenHash: string }>(g.db, 'SELECT token_hash AS "tokenHash" FROM portal_sign_ins WHERE token_hash IS NOT NULL');
    expect(stored.map((r) => r.tokenHash)).toContain(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(await query(g.db, 'SELECT * FROM portal_sign_ins'))).not.toContain(token);

    const first = await u.get(link);
    expect(first.status).toBe(303);
    expect(first.location).toBe('/help/cases');
    const set = first.headers.getSetCookie().find((c) => c.startsWith('casegate_session=')) as string;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    expect(set).not.toMatch(/Secure/); // the public URL is http here
    expect(set).toMatch(/Max-Age=28800/);
    const sessionToken = u.cookies.get('casegate_session') as string;
    expect(JSON.stringify(await query(g.db, 'SELECT * FROM portal_sessions'))).not.toContain(sessionToken);

    expect((await portalUser(g.base).get(link)).status).toBe(410);

    // A link asked for 16 minutes ago no longer works.
    await g.db.transaction((tx) => requestSignIn(tx, g.config.domain, ANN, '192.0.2.1', FIXED_NOW - 16 * 60_000));
    const late = (await signInLink(g.db, g.config, ANN)) as string;
    expect((await portalUser(g.base).get(late)).status).toBe(410);
    expect((await portalUser(g.base).get('/help/s/not-a-token')).status).toBe(410);
  });

  it('ends a session after 8 hours', async () => {
    const nineHoursAgo = FIXED_NOW - 9 * 3600_000;
    await g.db.transaction((tx) => requestSignIn(tx, g.config.domain, ANN, '192.0.2.1', nineHoursAgo));
    const token = ((await signInLink(g.db, g.config, ANN)) as string).split('/').pop() as string;
    const session = await g.db.transaction((tx) => redeemSignIn(tx, token, nineHoursAgo + 60_000));
    const res = await fetch(`${g.base}/help/cases`, { redirect: 'manual', headers: { cookie: `casegate_session=${session!.sessionToken}` } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/help');
  });

  it('refuses a form without its CSRF token and does nothing', async () => {
    const before = await countRows(g.db, 'portal_sign_ins');
    const u = portalUser(g.base);
    await u.get('/help');
    expect((await u.post('/help/sign-in', { email: ANN }, { csrf: null })).status).toBe(403);
    expect((await u.post('/help/sign-in', { email: ANN }, { csrf: 'x'.repeat(32) })).status).toBe(403);
    expect(await countRows(g.db, 'portal_sign_ins')).toBe(before);
    const s0 = await state();
    expect((await ann.post(`/help/cases/${g.caseNumber}/collaborators`, { email: OUTSIDER }, { csrf: null })).status).toBe(403);
    expect((await ann.post(`/help/cases/${g.caseNumber}/comments`, { body: 'hi' }, { csrf: 'forged' })).status).toBe(403);
    expect(await state()).toEqual(s0);
  });

  it('sends no more mail to one address after 5 requests an hour, with the same page', async () => {
    const email = DAVE;
    const u = portalUser(g.base);
    await u.get('/help');
    const before = await countRows(g.db, 'outbox', "kind = 'sign-in' AND recipient_lower = ?", email);
    const pages = new Set<string>();
    for (let i = 0; i < 7; i++) pages.add((await u.post('/help/sign-in', { email })).html);
    expect(pages.size).toBe(1);
    expect((await countRows(g.db, 'outbox', "kind = 'sign-in' AND recipient_lower = ?", email)) - before).toBe(5);
  });
});

describe('who sees which case', () => {
  it('lists the contact\'s own cases, and a help admin every case of the account', async () => {
    const mine = await ann.get('/help/cases');
    expect(mine.html).toContain(g.caseNumber);
    expect(mine.html).not.toContain(daveCase);
    const carol = await signIn(g.base, g.db, g.config, CAROL);
    const all = await carol.get('/help/cases');
    expect(all.html).toContain('Cases of your organisation');
    expect(all.html).toContain(g.caseNumber);
    expect(all.html).not.toContain(daveCase);
    expect((await carol.get(`/help/cases/${g.caseNumber}`)).status).toBe(200);
  });

  it('answers 403 "Insufficient privileges" to a collaborator, to another account and for an unknown number', async () => {
    const bob = await signIn(g.base, g.db, g.config, BOB);
    expect((await bob.get('/help/cases')).html).not.toContain(g.caseNumber);
    const direct = await bob.get(`/help/cases/${g.caseNumber}`);
    expect(direct.status).toBe(403);
    expect(direct.html).toContain('Insufficient privileges');
    expect((await bob.get(`/help/cases/${g.caseNumber}/contacts?q=a`)).status).toBe(403);
    const s0 = await state();
    expect((await bob.post(`/help/cases/${g.caseNumber}/collaborators`, { email: OUTSIDER }, { csrf: bob.csrf() })).status).toBe(403);
    expect(await state()).toEqual(s0);
    expect((await ann.get(`/help/cases/${daveCase}`)).status).toBe(403);
    expect((await ann.get('/help/cases/99999999')).status).toBe(403);
  });

  it('sends someone not signed in to the sign-in page', async () => {
    const p = await portalUser(g.base).get(`/help/cases/${g.caseNumber}`);
    expect(p.status).toBe(303);
    expect(p.location).toBe('/help');
  });
});

describe('the case page', () => {
  it('shows public comments, never internal ones', async () => {
    await addComment(g.db, g.config, { number: g.caseNumber, as: ANN, body: 'Paper tray 2 is empty too.' });
    const p = await ann.get(`/help/cases/${g.caseNumber}`);
    expect(p.html).toContain('Paper tray 2 is empty too.');
    expect(p.html).not.toContain('the vendor owes us a part');
    expect((await showCase(g.db, g.config, g.caseNumber)).comments.some((c: { internal: boolean }) => c.internal)).toBe(true);
    expect(p.headers.get('cache-control')).toBe('no-store');
  });

  it('adds a public comment from the contact, notified to the collaborators like a mail reply', async () => {
    await ann.get(`/help/cases/${g.caseNumber}`);
    const before = await countRows(g.db, 'outbox', "kind = 'comment' AND recipient_lower = ?", BOB);
    const p = await ann.post(`/help/cases/${g.caseNumber}/comments`, { body: 'Still jammed <b>after</b> a restart.' });
    expect(p.status).toBe(303);
    const shown = await ann.get(p.location as string);
    expect(shown.html).toContain('Your comment was added.');
    expect(shown.html).toContain('Still jammed &lt;b&gt;after&lt;/b&gt; a restart.');
    const last = (await showCase(g.db, g.config, g.caseNumber)).comments.at(-1)!;
    expect(last).toMatchObject({ author: ANN, internal: false, body: 'Still jammed <b>after</b> a restart.' });
    expect(await countRows(g.db, 'outbox', "kind = 'comment' AND recipient_lower = ?", BOB)).toBe(before + 1);
  });

  it('refuses an empty comment in words and stores nothing', async () => {
    await ann.get(`/help/cases/${g.caseNumber}`);
    const s0 = await state();
    const p = await ann.post(`/help/cases/${g.caseNumber}/comments`, { body: '   ' });
    expect(p.status).toBe(400);
    expect(p.html).toContain('Write your comment first.');
    expect(await state()).toEqual(s0);
  });

  it('serves a public comment\'s attachment with its type and a safe Content-Disposition, only to those who see the case', async () => {
    const form = new FormData();
    form.append('name', 'Ann Archer');
    form.append('email', ANN);
    form.append('subject', 'Scanner log');
    form.append('attachments', new Blob(['E42 paper path\n'], { type: 'text/plain' }), 'scan "log";\r\n.txt');
    expect((await fetch(`${g.base}/web-to-case`, { method: 'POST', body: form })).status).toBe(200);
    const number = (await query<{ number: string }>(g.db, "SELECT number FROM cases WHERE subject = 'Scanner log'"))[0]!.number;
    const page = await ann.get(`/help/cases/${number}`);
    const href = /href="(\/help\/cases\/\d+\/attachments\/\d+)"/.exec(page.html)![1] as string;
    const res = await fetch(`${g.base}${href}`, { headers: { cookie: `casegate_session=${ann.cookies.get('casegate_session')}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"\r\n]*"; filename\*=UTF-8''/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('E42 paper path\n');
    const bob = await signIn(g.base, g.db, g.config, BOB);
    expect((await bob.get(href)).status).toBe(403);
    expect((await ann.get(`/help/cases/${g.caseNumber}/attachments/${href.split('/').pop()}`)).status).toBe(404);
  });
});

describe('Case collaborators', () => {
  it('finds contacts of the account by name or email, never of another account', async () => {
    const p = await ann.get(`/help/cases/${g.caseNumber}/contacts?q=chen`);
    expect(p.html).toContain(CAROL);
    expect((await ann.get(`/help/cases/${g.caseNumber}/contacts?q=globex`)).html).not.toContain(DAVE);
    expect((await ann.get(`/help/cases/${g.caseNumber}/contacts?q=%25`)).html).toContain('No contact of your organisation matches');
  });

  it('adds any address, marks who is not an active contact, and queues the history email', async () => {
    await ann.get(`/help/cases/${g.caseNumber}`);
    const p = await ann.post(`/help/cases/${g.caseNumber}/collaborators`, { email: OUTSIDER });
    expect(p.status).toBe(303);
    const shown = await ann.get(p.location as string);
    expect(shown.html).toContain('The collaborator was added');
    const row = /<tr><td>max@partner\.example<\/td><td>(.*?)<\/td>/.exec(shown.html)![1];
    expect(row).toContain('This person is not an active contact of your organisation');
    expect(/<tr><td>bob@acme\.example<\/td><td>(.*?)<\/td>/.exec(shown.html)![1]).toContain('Active contact');
    expect(await countRows(g.db, 'outbox', "kind = 'history' AND recipient_lower = ?", OUTSIDER)).toBe(1);
    const collaborators = (await showCase(g.db, g.config, g.caseNumber)).collaborators;
    expect(collaborators.map((c: { email: string }) => c.email)).toContain(OUTSIDER);
  });

  it('refuses each rule in words and stores nothing', async () => {
    await ann.get(`/help/cases/${g.caseNumber}`);
    const refusals: Array<[string, number, string]> = [
      [ANN, 409, 'You are the contact of this case'],
      [BOB, 409, `${BOB} is already a collaborator of this case.`],
      ['not an address', 400, 'Enter an email address like name@example.com.'],
      ['', 400, 'Enter the email address of the person to add.'],
    ];
    for (const [email, status, words] of refusals) {
      const s0 = await state();
      const p = await ann.post(`/help/cases/${g.caseNumber}/collaborators`, { email });
      expect(p.status, email).toBe(status);
      expect(p.html).toContain(words);
      expect(await state()).toEqual(s0);
    }
    const s0 = await state();
    const gone = await ann.post(`/help/cases/${g.caseNumber}/collaborators/remove`, { email: 'nobody@partner.example' });
    expect(gone.status).toBe(404);
    expect(gone.html).toContain('nobody@partner.example is not a collaborator of this case.');
    expect(await state()).toEqual(s0);
  });

  it('refuses the 21st collaborator', async () => {
    const c = await createCase(g.db, g.config, { subject: 'Twenty helpers', contact: ANN });
    for (let i = 1; i <= 20; i++) await addCollaborator(g.db, g.config, c.number, `helper${i}@partner.example`);
    await ann.get(`/help/cases/${c.number}`);
    const s0 = await state();
    const p = await ann.post(`/help/cases/${c.number}/collaborators`, { email: 'helper21@partner.example' });
    expect(p.status).toBe(409);
    expect(p.html).toContain('This case already has 20 collaborators, the most a case can have. Remove one first.');
    expect(await state()).toEqual(s0);
  });

  it('lets a help admin add and remove themselves', async () => {
    const carol = await signIn(g.base, g.db, g.config, CAROL);
    await carol.get(`/help/cases/${g.caseNumber}`);
    expect((await carol.post(`/help/cases/${g.caseNumber}/collaborators`, { email: CAROL })).status).toBe(303);
    await carol.get(`/help/cases/${g.caseNumber}`);
    expect((await carol.post(`/help/cases/${g.caseNumber}/collaborators/remove`, { email: CAROL })).status).toBe(303);
    expect((await showCase(g.db, g.config, g.caseNumber)).collaborators.map((c: { email: string }) => c.email)).not.toContain(CAROL);
  });

  it('removes a collaborator', async () => {
    await ann.get(`/help/cases/${g.caseNumber}`);
    const p = await ann.post(`/help/cases/${g.caseNumber}/collaborators/remove`, { email: OUTSIDER });
    expect(p.status).toBe(303);
    expect((await ann.get(p.location as string)).html).toContain('The collaborator was removed');
    expect((await showCase(g.db, g.config, g.caseNumber)).collaborators.map((c: { email: string }) => c.email)).not.toContain(OUTSIDER);
  });
});

describe('one-click unsubscribe of a collaborator', () => {
  const mailTo = async (email: string) => {
    const [row] = await query<{ id: number }>(g.db, "SELECT id FROM outbox WHERE kind = 'comment' AND recipient_lower = ? ORDER BY id DESC LIMIT 1", [email]);
    return g.db.transaction(async (tx) => composeNotification(await loadNotification(tx, g.config, g.db.blobs, (await outboxById(tx, row!.id))!)), 'read');
  };

  it('carries RFC 8058 headers; the POST removes that collaborator, logs it, tells the contact; a replay or a forgery does nothing', async () => {
    const mail = await mailTo(BOB);
    const headers = mail.headers as Record<string, string>;
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const url = /^<(.+)>$/.exec(headers['List-Unsubscribe'] as string)![1] as string;
    expect(url).toMatch(/\/help\/unsubscribe\/\d+\.[A-Za-z0-9_-]{43}$/);
    const path = new URL(url).pathname;
    const token = path.split('/').pop() as string;

    // The signature is for Bob's row only: the same signature on another row's id is refused.
    const [other] = await query<{ id: number }>(g.db, 'SELECT id FROM collaborators WHERE email_lower <> ? ORDER BY id LIMIT 1', [BOB]);
    const s0 = await state();
    const forged = await fetch(`${g.base}/help/unsubscribe/${other!.id}.${token.split('.')[1]}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(forged.status).toBe(404);
    expect(await state()).toEqual(s0);

    // A GET (a mail scanner) only asks.
    expect((await fetch(`${g.base}${path}`)).status).toBe(200);
    expect(await state()).toEqual(s0);

    const res = await fetch(`${g.base}${path}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    const c = await showCase(g.db, g.config, g.caseNumber);
    expect(c.collaborators.map((x: { email: string }) => x.email)).not.toContain(BOB);
    expect(c.comments.at(-1)).toMatchObject({ internal: true, author: BOB });
    expect(c.comments.at(-1)!.body).toContain('stopped the emails');
    expect(await countRows(g.db, 'outbox', "kind = 'unsubscribed' AND recipient_lower = ?", ANN)).toBe(1);
    expect(g.log.join('\n')).toContain(`help: ${BOB} stopped the emails of case ${g.caseNumber}`);

    const again = await fetch(`${g.base}${path}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(again.status).toBe(404);
  });
});

describe('signing out and the per-IP limit', () => {
  it('ends the session in the database', async () => {
    const u = await signIn(g.base, g.db, g.config, ANN);
    const sessions = await countRows(g.db, 'portal_sessions');
    await u.get('/help/cases');
    const out = await u.post('/help/sign-out', {});
    expect(out.status).toBe(200);
    expect(await countRows(g.db, 'portal_sessions')).toBe(sessions - 1);
    expect(u.cookies.has('casegate_session')).toBe(false);
    expect((await u.get('/help/cases')).status).toBe(303);
  });

  it('answers 429 after 30 sign-in requests an hour from one IP', async () => {
    const u = portalUser(g.base);
    await u.get('/help');
    const done = await countRows(g.db, 'portal_sign_ins', "ip <> '192.0.2.1' AND created_at > ?", FIXED_NOW - 3600_000);
    for (let i = done; i < 30; i++) expect((await u.post('/help/sign-in', { email: `x${i}@partner.example` })).status).toBe(200);
    const limited = await u.post('/help/sign-in', { email: ANN });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).not.toBeNull();
  });
});

describe('behind https', () => {
  it('makes the cookies Secure and the links start with the public URL', async () => {
    const h = await startHttp({ CASEGATE_PUBLIC_URL: 'https://support.example.com/' });
    try {
      const u = portalUser(h.base);
      const first = await u.get('/help');
      expect(first.headers.getSetCookie()[0]).toMatch(/^casegate_visitor=[A-Za-z0-9_-]{43}; Path=\/help; HttpOnly; SameSite=Lax; Max-Age=3600; Secure$/);
      await u.post('/help/sign-in', { email: ANN });
      const [row] = await query<{ id: number }>(h.db, "SELECT id FROM outbox WHERE kind = 'sign-in'");
      const mail = await h.db.transaction(async (tx) => composeNotification(await loadNotification(tx, h.config, h.db.blobs, (await outboxById(tx, row!.id))!)), 'read');
      expect(String(mail.text)).toMatch(/https:\/\/support\.example\.com\/help\/s\/[A-Za-z0-9_-]{43}\n/);
      expect(mail.to).toBe(ANN);
      expect(mail.subject).toBe('Your sign-in link for the Help portal');
      const link = (await signInLink(h.db, h.config, ANN)) as string;
      const followed = await u.get(link);
      expect(followed.headers.getSetCookie().find((c) => c.startsWith('casegate_session='))).toMatch(/; Secure$/);

      // The dispatcher sends them: the sign-in mail with its link, Bob's history mail with the one-click headers.
      const dispatcher = createDispatcher({ db: h.db, config: h.config, log: () => undefined });
      try {
        await dispatcher.runOnce();
      } finally {
        await dispatcher.stop();
      }
      const sent = fs.readdirSync(h.config.outboxDir).map((f) => fs.readFileSync(path.join(h.config.outboxDir, f), 'utf8'));
      const signInMail = sent.find((m) => m.includes('Subject: Your sign-in link for the Help portal')) as string;
      expect(signInMail.replace(/=\r?\n/g, '')).toContain(`https://support.example.com${link}`);
      // Headers unfolded as a mail client reads them.
      const bobMail = (sent.find((m) => /^To: bob@acme\.example/m.test(m)) as string).replace(/\r?\n[ \t]+/g, " ");
      expect(bobMail).toMatch(/^List-Unsubscribe: <https:\/\/support\.example\.com\/help\/unsubscribe\/\d+\.[A-Za-z0-9_-]{43}>/m);
      expect(bobMail).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
      expect(await countRows(h.db, 'outbox', "status <> 'sent'")).toBe(0);

      // A provider's one-click POST may come as multipart/form-data.
      const unsubscribe = new URL(/^List-Unsubscribe: <([^>]+)>/m.exec(bobMail)![1] as string).pathname;
      const form = new FormData();
      form.append('List-Unsubscribe', 'One-Click');
      expect((await fetch(`${h.base}${unsubscribe}`, { method: 'POST', body: form })).status).toBe(200);
      expect((await showCase(h.db, h.config, h.caseNumber)).collaborators).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
