// API v1 over real HTTP on 127.0.0.1 (SPEC §8): every operation, every error status, keys and
// their permissions, the body limit, the per-key rate limit, and shapes equal to the CLI's.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { revokeApiKey } from '../../src/admin/apiKeys.js';
import { createContact } from '../../src/admin/contacts.js';
import { createUser } from '../../src/admin/users.js';
import { ANN, BOB, EVE, showCase } from '../helpers/seed.js';
import { api, startHttp, type HttpGateway } from '../helpers/http.js';
import { inTx, query } from '../helpers/testDb.js';

let g: HttpGateway;
const open = (extra: Record<string, string> = {}) => async () => {
  g = await startHttp(extra);
};
const close = async () => g.close();
const count = async (sql: string): Promise<unknown> => (await query(g.db, sql))[0];

describe('POST /api/v1/cases: escalation with syncContacts on (seed 002)', () => {
  beforeEach(open());
  afterEach(close);

  const escalate = (customer: object, more: object = {}) => api(g, 'POST', '/api/v1/cases', { body: { subject: 'Cannot log in', customer, ...more } });

  it("links the contact with the customer's email, in any letter case, and answers what case show prints", async () => {
    const r = await escalate({ email: 'ANN@acme.example', firstName: 'Someone', lastName: 'Else' }, { description: 'since Monday', priority: 'High' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ subject: 'Cannot log in', priority: 'High', origin: 'API', status: 'New', contact: { email: ANN }, account: 1 });
    expect(r.body).toEqual(JSON.parse(JSON.stringify(await showCase(g.db, g.config, r.body.number))));
  });

  it('else links by first and last name', async () => {
    const r = await escalate({ email: 'bob.b@home.example', firstName: 'bob', lastName: 'BAKER' });
    expect(r.body.contact).toMatchObject({ email: BOB });
  });

  it('else links by username, handle or external id', async () => {
    expect((await escalate({ username: 'AnnArcher' })).body.contact).toMatchObject({ email: ANN });
    expect((await escalate({ handle: '@bob' })).body.contact).toMatchObject({ email: BOB });
    await inTx(g.db, createContact, { email: 'cy@acme.example', firstName: 'Cy', lastName: 'Cole', externalId: 'care-77' });
    expect((await escalate({ externalId: 'care-77' })).body.contact).toMatchObject({ email: 'cy@acme.example' });
  });

  it("creates the contact when none matches, from the customer's fields", async () => {
    const r = await escalate({ email: 'zoe@new.example', firstName: 'Zoe', lastName: 'Zed', username: 'zz' });
    expect(r.status).toBe(201);
    expect(r.body.contact).toMatchObject({ email: 'zoe@new.example', name: 'Zoe Zed' });
    const found = await api(g, 'GET', '/api/v1/contacts?search=zz');
    expect(found.body).toEqual([expect.objectContaining({ email: 'zoe@new.example', username: 'zz', firstName: 'Zoe', lastName: 'Zed' })]);
  });

  it('stays unlinked when several contacts share the email', async () => {
    await inTx(g.db, createContact, { email: ANN, firstName: 'Ann', lastName: 'Other' });
    const r = await escalate({ email: ANN });
    expect(r.body.contact).toBeNull();
    expect(r.body.suppliedEmail).toBe(ANN);
    expect(r.body.suggestedContacts.map((c: { email: string }) => c.email)).toEqual([ANN, ANN]);
  });

  it('queues the "case created" email to the contact, as mail does', async () => {
    const r = await escalate({ email: ANN });
    const outbox = (await query(g.db, 'SELECT recipient, kind FROM outbox WHERE case_id = ?', [r.body.id]));
    expect(outbox).toEqual([{ recipient: ANN, kind: 'case-created' }]);
  });
});

describe('POST /api/v1/cases with syncContacts off', () => {
  beforeEach(open({ CASEGATE_SYNC_CONTACTS: 'off' }));
  afterEach(close);

  it('leaves the case unlinked with suggested contacts and creates no contact', async () => {
    const before = await count('SELECT count(*) AS n FROM contacts');
    const r = await api(g, 'POST', '/api/v1/cases', { body: { subject: 'Login', customer: { email: ANN, firstName: 'Ann', lastName: 'Archer' } } });
    expect(r.status).toBe(201);
    expect(r.body.contact).toBeNull();
    expect(r.body.suggestedContacts).toEqual([expect.objectContaining({ email: ANN, name: 'Ann Archer' })]);
    const unknown = await api(g, 'POST', '/api/v1/cases', { body: { subject: 'Login', customer: { email: 'new@x.example' } } });
    expect(unknown.body.contact).toBeNull();
    expect(await count('SELECT count(*) AS n FROM contacts')).toEqual(before);
  });
});

describe('the other operations', () => {
  beforeEach(open());
  afterEach(close);

  it('GET /api/v1/cases/NUMBER answers what case show --json prints', async () => {
    const r = await api(g, 'GET', `/api/v1/cases/${g.caseNumber}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(JSON.parse(JSON.stringify(await showCase(g.db, g.config, g.caseNumber))));
    expect(r.body.collaborators).toEqual([{ email: BOB, activeContact: true }]);
  });

  it('POST …/comments adds a comment by a participant, with source api, and notifies the others', async () => {
    const r = await api(g, 'POST', `/api/v1/cases/${g.caseNumber}/comments`, { body: { author: ANN, body: 'Still jammed.' } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ id: expect.any(Number), case: g.caseNumber, author: ANN, body: 'Still jammed.', source: 'api', internal: false, createdAt: expect.any(String), attachments: [] });
    const shown = await api(g, 'GET', `/api/v1/cases/${g.caseNumber}`);
    expect(shown.body.comments).toEqual([expect.objectContaining({ author: ANN, body: 'Still jammed.', source: 'api' })]);
    expect((await query(g.db, "SELECT recipient FROM outbox WHERE kind = 'comment'"))).toEqual([{ recipient: BOB }]);
  });

  it('POST …/comments from a stranger is 403; an internal note from a user is taken', async () => {
    expect((await api(g, 'POST', `/api/v1/cases/${g.caseNumber}/comments`, { body: { author: EVE, body: 'hi' } })).status).toBe(403);
    await inTx(g.db, createUser, { email: 'sam@support.example', name: 'Sam' });
    const r = await api(g, 'POST', `/api/v1/cases/${g.caseNumber}/comments`, { body: { author: 'sam@support.example', body: 'note', internal: true } });
    expect(r.status).toBe(201);
    expect(r.body.internal).toBe(true);
  });

  it('POST and DELETE …/collaborators add and remove an address, by the rules of the CLI', async () => {
    const added = await api(g, 'POST', `/api/v1/cases/${g.caseNumber}/collaborators`, { body: { email: 'carol@partner.example', as: ANN } });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ case: g.caseNumber, email: 'carol@partner.example', activeContact: false, id: expect.any(Number) });
    expect((await api(g, 'POST', `/api/v1/cases/${g.caseNumber}/collaborators`, { body: { email: 'x@y.example', as: EVE } })).status).toBe(403);
    expect((await api(g, 'POST', `/api/v1/cases/${g.caseNumber}/collaborators`, { body: { email: 'not an address', as: ANN } })).status).toBe(400);
    const removed = await api(g, 'DELETE', `/api/v1/cases/${g.caseNumber}/collaborators`, { body: { email: 'carol@partner.example', as: ANN } });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ email: 'carol@partner.example', removed: true });
    const again = await api(g, 'DELETE', `/api/v1/cases/${g.caseNumber}/collaborators`, { body: { email: 'carol@partner.example', as: ANN } });
    expect(again.status).toBe(404);
    expect(again.body.hint).toMatch(/is not a collaborator/);
  });

  it('POST and DELETE …/contact link, relink and unlink; doing it twice is 409', async () => {
    const unlinked = await api(g, 'DELETE', `/api/v1/cases/${g.caseNumber}/contact`);
    expect(unlinked.status).toBe(200);
    expect(unlinked.body.contact).toBeNull();
    expect((await api(g, 'DELETE', `/api/v1/cases/${g.caseNumber}/contact`)).status).toBe(409);
    const linked = await api(g, 'POST', `/api/v1/cases/${g.caseNumber}/contact`, { body: { contact: ANN } });
    expect(linked.status).toBe(200);
    expect(linked.body.contact).toMatchObject({ email: ANN });
    const twice = await api(g, 'POST', `/api/v1/cases/${g.caseNumber}/contact`, { body: { contact: '1' } });
    expect(twice.status).toBe(409);
    expect(twice.body).toEqual({ error: 'conflict', hint: expect.stringMatching(/already linked/) });
    expect((await api(g, 'POST', `/api/v1/cases/${g.caseNumber}/contact`, { body: { contact: 'nobody@x.example' } })).status).toBe(404);
  });

  it('GET /api/v1/contacts?search= finds by any name field, as contact search --json', async () => {
    const r = await api(g, 'GET', '/api/v1/contacts?search=archer');
    expect(r.status).toBe(200);
    expect(r.body).toEqual([expect.objectContaining({ id: 1, email: ANN, firstName: 'Ann', lastName: 'Archer', account: 1, username: 'annarcher' })]);
    expect((await api(g, 'GET', '/api/v1/contacts')).status).toBe(400);
  });

  it('logs every request in one line: method, path, status, time', async () => {
    await api(g, 'GET', `/api/v1/cases/${g.caseNumber}`);
    await api(g, 'GET', '/api/v1/cases/99999999');
    await api(g, 'GET', '/api/v1/contacts?search=secret-term', { key: 'wrong' });
    expect(g.log).toEqual([
      expect.stringMatching(new RegExp(`^http GET /api/v1/cases/${g.caseNumber} 200 \\d+\\.\\dms$`)),
      expect.stringMatching(/^http GET \/api\/v1\/cases\/99999999 404 \d+\.\dms$/),
      expect.stringMatching(/^http GET \/api\/v1\/contacts 401 \d+\.\dms$/),
    ]);
  });
});

describe('errors are JSON {error, hint} with the right status', () => {
  beforeEach(open({ CASEGATE_API_MAX_BODY_BYTES: '2048' }));
  afterEach(close);

  it('401 without a key, with a wrong key, with a revoked key, and nothing is written', async () => {
    const before = await count('SELECT count(*) AS n FROM cases');
    const body = { subject: 'x', customer: { email: ANN } };
    const none = await api(g, 'POST', '/api/v1/cases', { key: null, body });
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: 'unauthorized', hint: expect.stringMatching(/Authorization: Bearer/) });
    const wrong = await api(g, 'POST', '/api/v1/cases', { key: `${g.key}x`, body });
    expect(wrong.status).toBe(401);
    expect(wrong.body.hint).toMatch(/not known/);
    const other = await g.newKey('read,create,edit');
    expect((await api(g, 'POST', '/api/v1/cases', { key: other, body: { subject: 'x' } })).status).toBe(400);
    await inTx(g.db, revokeApiKey, '2');
    const revoked = await api(g, 'POST', '/api/v1/cases', { key: other, body });
    expect(revoked.status).toBe(401);
    expect(revoked.body.hint).toMatch(/revoked/);
    expect(await count('SELECT count(*) AS n FROM cases')).toEqual(before);
  });

  it('403 on POST /cases for a key without create, and on every GET for a key without read', async () => {
    const reader = await g.newKey('read');
    const r = await api(g, 'POST', '/api/v1/cases', { key: reader, body: { subject: 'x', customer: { email: ANN } } });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: 'forbidden', hint: expect.stringMatching(/lacks the create permission/) });
    expect((await api(g, 'DELETE', `/api/v1/cases/${g.caseNumber}/contact`, { key: reader })).status).toBe(403);
    const creator = await g.newKey('create');
    expect((await api(g, 'POST', '/api/v1/cases', { key: creator, body: { subject: 'x', customer: { email: ANN } } })).status).toBe(201);
    for (const url of [`/api/v1/cases/${g.caseNumber}`, '/api/v1/contacts?search=ann']) {
      const got = await api(g, 'GET', url, { key: creator });
      expect(got.status, url).toBe(403);
      expect(got.body.hint).toMatch(/lacks the read permission/);
    }
  });

  it('400 for a body against the schema, bad JSON, a bad case number, a bad priority or address', async () => {
    for (const body of [
      { customer: { email: ANN } },
      { subject: 'x' },
      { subject: 'x', customer: {} },
      { subject: 'x', customer: { email: ANN }, extra: 1 },
      { subject: 1, customer: { email: ANN } },
      { subject: 'x', priority: 'Urgent', customer: { email: ANN } },
    ]) {
      const r = await api(g, 'POST', '/api/v1/cases', { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toEqual({ error: 'invalid request', hint: expect.stringMatching(/openapi\.json/) });
    }
    expect((await api(g, 'POST', '/api/v1/cases', { raw: '{"subject":' })).status).toBe(400);
    expect((await api(g, 'GET', '/api/v1/cases/12')).status).toBe(400);
    const address = await api(g, 'POST', '/api/v1/cases', { body: { subject: 'x', customer: { email: 'not-an-address' } } });
    expect(address.status).toBe(400);
    expect(address.body.hint).toMatch(/customer email/);
  });

  it('404 for an unknown case and an unknown operation', async () => {
    const r = await api(g, 'GET', '/api/v1/cases/00009999');
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: 'not found', hint: expect.stringMatching(/00009999/) });
    expect((await api(g, 'GET', '/api/v1/tickets')).body).toEqual({ error: 'not found', hint: expect.stringMatching(/openapi\.json/) });
  });

  it('413 for a body over CASEGATE_API_MAX_BODY_BYTES, and no case', async () => {
    const r = await api(g, 'POST', '/api/v1/cases', { body: { subject: 'x', description: 'y'.repeat(4096), customer: { email: ANN } } });
    expect(r.status).toBe(413);
    expect(r.body).toEqual({ error: 'payload too large', hint: expect.stringMatching(/2048 bytes/) });
    expect(await count("SELECT count(*) AS n FROM cases WHERE origin = 'API'")).toEqual({ n: 0 });
  });
});

describe('rate limit per key', () => {
  beforeEach(open({ CASEGATE_API_RATE_LIMIT: '100' }));
  afterEach(close);

  it('1,000 requests from one key: the first 100 of the minute pass, the rest get 429 with Retry-After; another key is not held', async () => {
    const statuses: number[] = [];
    const retryAfter = new Set<string | null>();
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => api(g, 'GET', `/api/v1/cases/${g.caseNumber}`)));
      for (const a of answers) {
        statuses.push(a.status);
        if (a.status === 429) {
          retryAfter.add(a.headers.get('retry-after'));
          expect(a.body).toEqual({ error: 'too many requests', hint: expect.stringMatching(/more than 100 requests this minute/) });
        }
      }
    }
    expect(statuses).toHaveLength(1000);
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(900);
    // The fixed clock of the test server is 30 s into its minute.
    expect([...retryAfter]).toEqual(['30']);
    expect((await api(g, 'GET', `/api/v1/cases/${g.caseNumber}`, { key: await g.newKey('read') })).status).toBe(200);
  });
});

describe('GET /api/v1/openapi.json', () => {
  beforeEach(open());
  afterEach(close);

  it('documents every operation, and the server refuses what its schemas refuse', async () => {
    const doc = (await api(g, 'GET', '/api/v1/openapi.json', { key: null })).body;
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, m]) => Object.keys(m).map((k) => `${k.toUpperCase()} ${p}`));
    expect(ops.sort()).toEqual(
      [
        'POST /api/v1/cases',
        'GET /api/v1/cases',
        'GET /api/v1/cases/{number}',
        'PATCH /api/v1/cases/{number}',
        'POST /api/v1/cases/{number}/comments',
        'POST /api/v1/cases/{number}/collaborators',
        'DELETE /api/v1/cases/{number}/collaborators',
        'POST /api/v1/cases/{number}/contact',
        'DELETE /api/v1/cases/{number}/contact',
        'GET /api/v1/contacts',
      ].sort(),
    );
    // Drop each required property the document names: the server answers 400 naming it.
    const create = doc.paths['/api/v1/cases'].post.requestBody.content['application/json'].schema;
    const valid = { subject: 'Documented', customer: { email: ANN } };
    for (const name of create.required as string[]) {
      const body: Record<string, unknown> = { ...valid };
      delete body[name];
      const r = await api(g, 'POST', '/api/v1/cases', { body });
      expect(r.status, name).toBe(400);
      expect(r.body.hint).toContain(name);
    }
    // A property the document does not name is refused, and each documented enum value is taken.
    expect(create.additionalProperties).toBe(false);
    expect((await api(g, 'POST', '/api/v1/cases', { body: { ...valid, undocumented: true } })).status).toBe(400);
    for (const priority of create.properties.priority.enum as string[]) {
      expect((await api(g, 'POST', '/api/v1/cases', { body: { ...valid, priority } })).status, priority).toBe(201);
    }
    const maxLength = create.properties.subject.maxLength as number;
    expect((await api(g, 'POST', '/api/v1/cases', { body: { ...valid, subject: 's'.repeat(maxLength + 1) } })).status).toBe(400);
    expect((await api(g, 'POST', '/api/v1/cases', { body: { ...valid, subject: 's'.repeat(maxLength) } })).status).toBe(201);
    const pattern = new RegExp(doc.paths['/api/v1/cases/{number}'].get.parameters[0].schema.pattern);
    expect(pattern.test('1234567')).toBe(false);
    expect((await api(g, 'GET', '/api/v1/cases/1234567')).status).toBe(400);
    // Each documented error status has the {error, hint} shape.
    expect(doc.components.schemas.Error.required).toEqual(['error', 'hint']);
    expect(Object.keys(doc.paths['/api/v1/cases'].post.responses).sort()).toEqual(['201', '400', '401', '403', '404', '409', '413', '429']);
  });
});
