// GET /api/v1/cases (filters, paging) and PATCH /api/v1/cases/NUMBER over real HTTP on 127.0.0.1:
// the rules of `case update`, the key's permissions, and JSON errors that say what to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecordType } from '../../src/admin/recordTypes.js';
import { createUser } from '../../src/admin/users.js';
import { caseList } from '../../src/views/case.js';
import { ANN, BOB, addComment, createCase, showCase } from '../helpers/seed.js';
import { FIXED_NOW, api, startHttp, type HttpGateway } from '../helpers/http.js';
import { inTx, query } from '../helpers/testDb.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

// One server for the file: the tests run in order and each says what it starts from.
let g: HttpGateway;
const numbers = (r: { body: { cases: Array<{ number: string }> } }): string[] => r.body.cases.map((c) => c.number);

/**
 * 00001001: Ann's (seeded by startHttp), no owner; 00001002: Bob's, of record type Hardware (New,
 * Working, Closed; High, Low), owned by agent@; 00001003: no contact, owned by agent@. Users agent@
 * and bo@ (all permissions), reader@ (read only).
 */
beforeAll(async () => {
  g = await startHttp();
  await g.db.transaction(async (tx) => {
    await createUser(tx, { email: 'agent@support.example', name: 'Agent' });
    await createUser(tx, { email: 'bo@support.example', name: 'Bo' });
    await createUser(tx, { email: 'reader@support.example', name: 'Rea', can: 'read' });
    await createRecordType(tx, 'Hardware', { statuses: 'New,Working,Closed', priorities: 'High,Low' });
  });
  await createCase(g.db, g.config, { subject: 'Broken fan', contact: BOB, recordType: 'Hardware', priority: 'High', owner: 'agent@support.example' });
  await createCase(g.db, g.config, { subject: 'Who am I', owner: 'agent@support.example' });
}, 60_000);
afterAll(async () => g?.close());

describe('GET /api/v1/cases', () => {
  it('lists cases oldest first, a page at a time, with the next cursor until the last page', async () => {
    const first = await api(g, 'GET', '/api/v1/cases?limit=2');
    expect(first.status).toBe(200);
    expect(numbers(first)).toEqual(['00001001', '00001002']);
    expect(first.body.next).toBe('00001002');
    // Each case as `casegate case list --json` prints it.
    expect(first.body.cases).toEqual(JSON.parse(JSON.stringify((await inTx(g.db, caseList, {}, g.config.domain, Date.now())).slice(0, 2))));
    const last = await api(g, 'GET', `/api/v1/cases?limit=2&after=${first.body.next}`);
    expect(numbers(last)).toEqual(['00001003']);
    expect(last.body.next).toBeNull();
  });

  it('filters by status, owner, contact (id or email), account and time of the last change', async () => {
    expect(numbers(await api(g, 'GET', '/api/v1/cases?owner=AGENT@support.example'))).toEqual(['00001002', '00001003']);
    expect(numbers(await api(g, 'GET', `/api/v1/cases?contact=${BOB}`))).toEqual(['00001002']);
    expect(numbers(await api(g, 'GET', '/api/v1/cases?contact=1&status=New'))).toEqual(['00001001']);
    expect(numbers(await api(g, 'GET', '/api/v1/cases?account=1'))).toEqual(['00001001', '00001002']);
    expect(numbers(await api(g, 'GET', '/api/v1/cases?updatedSince=2099-01-01'))).toEqual([]);
    expect(numbers(await api(g, 'GET', '/api/v1/cases?updatedSince=1h&status=Escalated'))).toEqual([]);
  });

  it('refuses a filter that names nobody, a bad time or page, with a 400 that says what to give', async () => {
    const cases: Array<[string, RegExp]> = [
      ['owner=nobody@support.example', /owner "nobody@support\.example" is not a user; list users/],
      ['contact=zed@nowhere.example', /no contact/],
      ['updatedSince=yesterday', /"yesterday" is not a time; give a date such as 2026-12-01/],
      ['after=00009999', /after "00009999" is not the number of a case; give the "next" value/],
      ['limit=501', /limit 501 is not a page size; give 1 to 500/],
      ['limit=0', /limit 0 is not a page size/],
      ['status=Pending', /status/],
      ['colour=red', /additional/],
    ];
    for (const [q, hint] of cases) {
      const r = await api(g, 'GET', `/api/v1/cases?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body, q).toEqual({ error: 'invalid request', hint: expect.stringMatching(hint) });
    }
  });

  it('needs the read permission', async () => {
    const r = await api(g, 'GET', '/api/v1/cases', { key: await g.newKey('create,edit') });
    expect(r.status).toBe(403);
    expect(r.body.hint).toMatch(/lacks the read permission/);
  });
});

describe('PATCH /api/v1/cases/NUMBER', () => {
  it('changes owner, priority and status as case update does: the case back, each change in its history under the key', async () => {
    const r = await api(g, 'PATCH', '/api/v1/cases/00001001', { body: { owner: 'bo@support.example', priority: 'High', status: 'Escalated' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ number: '00001001', owner: 'bo@support.example', priority: 'High', status: 'Escalated' });
    expect(r.body.history.map((h: Json) => [h.field, h.from, h.to, h.by])).toEqual([
      ['owner', null, 'bo@support.example', 'API key test'],
      ['priority', 'Medium', 'High', 'API key test'],
      ['status', 'New', 'Escalated', 'API key test'],
    ]);
    expect(r.body).toEqual(JSON.parse(JSON.stringify(await showCase(g.db, g.config, '00001001'))));
    expect(r.body.updatedAt).toBe(new Date(FIXED_NOW).toISOString());
    // No notification: the SPEC sends none for a change of fields.
    expect(await query(g.db, "SELECT kind FROM outbox WHERE case_id = 1 AND kind NOT IN ('case-created', 'history')")).toEqual([]);
  });

  it('closes and reopens: closedAt set, then cleared; "as" names the user, who needs edit', async () => {
    const closed = await api(g, 'PATCH', '/api/v1/cases/00001001', { body: { status: 'Closed', as: 'agent@support.example' } });
    expect(closed.body).toMatchObject({ status: 'Closed', closedAt: new Date(FIXED_NOW).toISOString() });
    expect(closed.body.history.at(-1)).toMatchObject({ from: 'Escalated', to: 'Closed', by: 'agent@support.example' });
    const reopened = await api(g, 'PATCH', '/api/v1/cases/00001001', { body: { status: 'Working' } });
    expect(reopened.body).toMatchObject({ status: 'Working', closedAt: null });
    const refused = await api(g, 'PATCH', '/api/v1/cases/00001001', { body: { status: 'New', as: 'reader@support.example' } });
    expect(refused.status).toBe(403);
    expect(refused.body.hint).toMatch(/user reader@support\.example may not edit case 00001001: it lacks the "edit" permission/);
  });

  it("retires the former owner's reply address: a reply through it is refused from then on", async () => {
    await addComment(g.db, g.config, { number: '00001001', as: ANN, body: 'Any news?' });
    const live = "SELECT address_lower AS address FROM reply_addresses WHERE case_id = 1 AND kind = 'owner' AND retired_at IS NULL";
    expect(await query(g.db, live)).toEqual([{ address: 'bo@support.example' }]);
    expect((await api(g, 'PATCH', '/api/v1/cases/00001001', { body: { owner: 'agent@support.example' } })).body.owner).toBe('agent@support.example');
    expect(await query(g.db, live)).toEqual([]);
  });

  it("refuses what the case's record type does not allow, an owner who is no user, and an empty change, changing nothing", async () => {
    const before = await showCase(g.db, g.config, '00001002');
    const cases: Array<[object, number, RegExp]> = [
      [{ status: 'Escalated' }, 400, /status "Escalated" is not one a case of record type "Hardware" can have; give one of New, Working, Closed/],
      [{ priority: 'Medium', status: 'Working' }, 400, /priority "Medium" is not one a case of record type "Hardware" can have; give one of High, Low/],
      [{ owner: ANN }, 400, /owner ann@acme\.example is not a user; create it/],
      [{ status: 'Done' }, 400, /status/],
      [{}, 400, /fewer than 1 properties|minProperties|must NOT have fewer/],
      [{ number: '00001003' }, 400, /additional/],
    ];
    for (const [body, status, hint] of cases) {
      const r = await api(g, 'PATCH', '/api/v1/cases/00001002', { body });
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.body.hint, JSON.stringify(body)).toMatch(hint);
    }
    expect(await showCase(g.db, g.config, '00001002')).toEqual(before);
    expect((await api(g, 'PATCH', '/api/v1/cases/00009999', { body: { status: 'Closed' } })).status).toBe(404);
  });

  it('a key without read learns only what it sent', async () => {
    const r = await api(g, 'PATCH', '/api/v1/cases/00001002', { key: await g.newKey('edit'), body: { priority: 'Low' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ number: '00001002', priority: 'Low' });
  });
});
