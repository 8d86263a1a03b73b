// What an API key sees by its permissions (issue 26, findings 2 and 8): a key without `read` gets
// from a write only what it wrote, never the case, its people or its internal comments; and who
// may change collaborators over the API (`as`, SPEC §2.7), over real HTTP on 127.0.0.1.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContact } from '../../src/admin/contacts.js';
import { createUser } from '../../src/admin/users.js';
import { ANN, BOB, EVE, addComment, countRows, showCase } from '../helpers/seed.js';
import { api, startHttp, type HttpGateway } from '../helpers/http.js';
import { inTx, query } from '../helpers/testDb.js';

let g: HttpGateway;
const SECRET = 'internal: refund approved up to 500 EUR';
const AGENT = 'sam@support.example';

beforeEach(async () => {
  g = await startHttp();
  await inTx(g.db, createUser, { email: AGENT, name: 'Sam Agent' });
  await addComment(g.db, g.config, { number: g.caseNumber, as: AGENT, body: SECRET, internal: true });
});
afterEach(async () => g.close());

const url = (tail = '') => `/api/v1/cases/${g.caseNumber}${tail}`;
/** Everything an answer says, to look for what it must not. */
const said = (body: unknown): string => JSON.stringify(body);

describe('a key without read gets from a write only what it wrote', () => {
  it('edit only: unlink, link, collaborator add and remove, comment: the number and the changed item, nothing of the case', async () => {
    const editor = await g.newKey('edit');
    const answers = [
      [await api(g, 'DELETE', url('/contact'), { key: editor }), 200, { case: g.caseNumber, contact: null }],
      [await api(g, 'POST', url('/contact'), { key: editor, body: { contact: '1' } }), 200, { case: g.caseNumber, contact: '1' }],
      [await api(g, 'POST', url('/collaborators'), { key: editor, body: { email: 'carol@partner.example', as: ANN } }), 201, { case: g.caseNumber, email: 'carol@partner.example', id: expect.any(Number) }],
      [await api(g, 'DELETE', url('/collaborators'), { key: editor, body: { email: 'carol@partner.example', as: ANN } }), 200, { case: g.caseNumber, email: 'carol@partner.example', id: expect.any(Number), removed: true }],
    ] as const;
    for (const [r, status, body] of answers) {
      expect(r.status, said(r.body)).toBe(status);
      expect(r.body).toEqual(body);
    }
    const comment = await api(g, 'POST', url('/comments'), { key: editor, body: { author: BOB, body: 'Tray 2 is empty.' } });
    expect(comment.status).toBe(201);
    expect(comment.body).toEqual({ id: expect.any(Number), case: g.caseNumber, author: BOB, body: 'Tray 2 is empty.', source: 'api', internal: false, createdAt: expect.any(String), attachments: [] });
    for (const r of [...answers.map(([a]) => a), comment]) {
      expect(said(r.body)).not.toContain(SECRET);
      expect(said(r.body)).not.toContain('Printer on floor 3');
    }
  });

  it('create only: POST /cases answers the case number only, not the contact or account it matched by name', async () => {
    const creator = await g.newKey('create');
    const r = await api(g, 'POST', '/api/v1/cases', { key: creator, body: { subject: 'Cannot log in', customer: { firstName: 'Ann', lastName: 'Archer' } } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ number: expect.stringMatching(/^\d{8}$/) });
    // The case was linked all the same: the key just is not told to whom.
    expect((await showCase(g.db, g.config, r.body.number)).contact).toMatchObject({ email: ANN });
  });

  it('create and edit without read: the same, for every write', async () => {
    const key = await g.newKey('create,edit');
    expect((await api(g, 'POST', '/api/v1/cases', { key, body: { subject: 'x', customer: { email: ANN } } })).body).toEqual({ number: expect.any(String) });
    const r = await api(g, 'DELETE', url('/contact'), { key });
    expect(r.body).toEqual({ case: g.caseNumber, contact: null });
  });

  it('a key with read (and edit) gets the whole case, internal comments included, as case show prints it', async () => {
    const r = await api(g, 'DELETE', url('/contact'), { key: await g.newKey('read,edit') });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(JSON.parse(JSON.stringify(await showCase(g.db, g.config, g.caseNumber))));
    expect(said(r.body)).toContain(SECRET);
  });

  it('each answer to a key without read has exactly the properties the OpenAPI document lists for it', async () => {
    const doc = (await api(g, 'GET', '/api/v1/openapi.json', { key: null })).body;
    const bare = (path: string, method: string) => {
      const responses = doc.paths[path][method].responses as Record<string, { content: { 'application/json': { schema: { anyOf: Array<{ description: string; required: string[] }> } } } }>;
      const ok = Object.keys(responses).find((code) => code.startsWith('2')) as string;
      const schema = (responses[ok] as (typeof responses)[string]).content['application/json'].schema;
      const without = schema.anyOf.find((s) => s.description.startsWith('a key without read'));
      return [...(without?.required ?? [])].sort();
    };
    const editor = await g.newKey('edit');
    expect(Object.keys((await api(g, 'POST', '/api/v1/cases', { key: await g.newKey('create'), body: { subject: 'x', customer: { email: ANN } } })).body).sort()).toEqual(bare('/api/v1/cases', 'post'));
    expect(Object.keys((await api(g, 'DELETE', url('/contact'), { key: editor })).body).sort()).toEqual(bare('/api/v1/cases/{number}/contact', 'delete'));
    expect(Object.keys((await api(g, 'POST', url('/contact'), { key: editor, body: { contact: ANN } })).body).sort()).toEqual(bare('/api/v1/cases/{number}/contact', 'post'));
    const added = await api(g, 'POST', url('/collaborators'), { key: editor, body: { email: 'dan@partner.example', as: ANN } });
    expect(Object.keys(added.body).sort()).toEqual(bare('/api/v1/cases/{number}/collaborators', 'post'));
    const removed = await api(g, 'DELETE', url('/collaborators'), { key: editor, body: { email: 'dan@partner.example', as: ANN } });
    expect(Object.keys(removed.body).sort()).toEqual(bare('/api/v1/cases/{number}/collaborators', 'delete'));
  });
});

describe('collaborator changes over the API name who acts (as), by the rules of SPEC §2.7', () => {
  const add = (body: object, key = g.key) => api(g, 'POST', url('/collaborators'), { key, body });
  const historyTo = (email: string) => countRows(g.db, 'outbox', "kind = 'history' AND recipient = ?", email);

  it('refuses a change without as: a key is not the operator at a terminal; nothing is added or mailed', async () => {
    const r = await add({ email: 'spy@evil.example' }, await g.newKey('edit'));
    expect(r.status).toBe(400);
    expect(r.body.hint).toMatch(/required property 'as'/);
    expect((await showCase(g.db, g.config, g.caseNumber)).collaborators.map((c) => c.email)).toEqual([BOB]);
    expect(await historyTo('spy@evil.example')).toBe(0);
    const removal = await api(g, 'DELETE', url('/collaborators'), { body: { email: BOB } });
    expect(removal.status).toBe(400);
    expect((await showCase(g.db, g.config, g.caseNumber)).collaborators.map((c) => c.email)).toEqual([BOB]);
  });

  it('refuses a stranger, a collaborator and a user without edit as the one acting, with 403', async () => {
    await inTx(g.db, createUser, { email: 'rea@support.example', name: 'Rea Der', can: 'read' });
    for (const as of [EVE, BOB]) {
      const r = await add({ email: 'spy@evil.example', as });
      expect(r.status, as).toBe(403);
      expect(r.body.hint).toMatch(/may not change the collaborators/);
    }
    const reader = await add({ email: 'spy@evil.example', as: 'rea@support.example' });
    expect(reader.status).toBe(403);
    expect(reader.body.hint).toMatch(/lacks the "edit" permission/);
    expect(await historyTo('spy@evil.example')).toBe(0);
  });

  it('takes the case contact, a help admin of its account and a user with edit, and records who added', async () => {
    await inTx(g.db, createContact, { account: 1, email: 'hal@acme.example', firstName: 'Hal', lastName: 'Admin', helpAdmin: true });
    for (const [email, as] of [
      ['c1@partner.example', ANN],
      ['c2@partner.example', 'hal@acme.example'],
      ['c3@partner.example', AGENT],
    ]) {
      const r = await add({ email, as });
      expect(r.status, as).toBe(201);
      expect(await historyTo(email as string)).toBe(1);
    }
    const addedBy = (await query(g.db, "SELECT email, added_by AS \"addedBy\" FROM collaborators WHERE email LIKE 'c_@partner.example' ORDER BY id"));
    expect(addedBy).toEqual([
      { email: 'c1@partner.example', addedBy: ANN },
      { email: 'c2@partner.example', addedBy: 'hal@acme.example' },
      { email: 'c3@partner.example', addedBy: AGENT },
    ]);
  });

  it('refuses an address made of an encoded word, saying why, and mails nobody', async () => {
    const r = await add({ email: '=?utf-8?q?ann?=@evil.example', as: ANN });
    expect(r.status).toBe(400);
    expect(r.body.hint).toMatch(/encoded word/);
    expect(await countRows(g.db, 'outbox', "recipient LIKE '%evil.example'")).toBe(0);
  });
});
