// The API against hostile input (issue 26: finding 9 and "what held"), over real HTTP on
// 127.0.0.1: control characters in strings, keys sent wrongly, every operation behind its
// permission, JSON past its limits, and no stack trace or SQL in any answer.
import http from 'node:http';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../src/http/schemas.js';
import { PERMISSIONS } from '../../src/domain/permissions.js';
import { ANN, countRows, showCase } from '../helpers/seed.js';
import { api, startHttp, type HttpGateway } from '../helpers/http.js';
import { execSql, onPostgres } from '../helpers/testDb.js';

let g: HttpGateway | undefined;
const start = async (env: Record<string, string> = {}): Promise<HttpGateway> => {
  g = await startHttp(env);
  return g;
};
afterEach(async () => {
  await g?.close();
  g = undefined;
});

const valid = { subject: 'Cannot log in', customer: { email: ANN } };

describe('control characters in API strings are refused with 400 and a hint (finding 9)', () => {
  it('NUL and other controls in one-line fields: subject, origin, customer names, author, search', async () => {
    const gw = await start();
    const cases = await countRows(gw.db, 'cases');
    const refusals: Array<[string, string, object | undefined, RegExp]> = [
      ['POST', '/api/v1/cases', { ...valid, subject: 'Cannot\u0000 log in' }, /^subject holds the control character U\+0000 at position 7; it is one line/],
      ['POST', '/api/v1/cases', { ...valid, origin: 'API\u0000' }, /^origin holds the control character U\+0000/],
      ['POST', '/api/v1/cases', { ...valid, subject: 'tab\there' }, /^subject holds the control character U\+0009/],
      ['POST', '/api/v1/cases', { ...valid, subject: 'next\u0085line' }, /^subject holds the control character U\+0085/],
      ['POST', '/api/v1/cases', { ...valid, customer: { email: ANN, firstName: 'Ann\u001b[31m' } }, /^customer\.firstName holds the control character U\+001B/],
      ['POST', `/api/v1/cases/${gw.caseNumber}/comments`, { author: `${ANN}\u0000`, body: 'hi' }, /^author holds the control character U\+0000/],
      ['POST', `/api/v1/cases/${gw.caseNumber}/comments`, { author: ANN, body: 'a\u0000b' }, /^body holds the control character U\+0000 at position 2; it may hold tabs and line breaks/],
      ['GET', '/api/v1/contacts?search=ann%00', undefined, /^search holds the control character U\+0000/],
    ];
    for (const [method, url, body, hint] of refusals) {
      const r = await api(gw, method, url, body === undefined ? {} : { body });
      expect(r.status, `${url} ${JSON.stringify(body)}`).toBe(400);
      expect(r.body).toEqual({ error: 'invalid request', hint: expect.stringMatching(hint) });
    }
    expect(await countRows(gw.db, 'cases')).toBe(cases);
    expect(await countRows(gw.db, 'comments')).toBe(0);
  });

  it('takes tabs and line breaks in a description and a comment body, and keeps them', async () => {
    const gw = await start();
    const r = await api(gw, 'POST', '/api/v1/cases', { body: { ...valid, description: 'Steps:\n\t1. open\r\n\t2. fail' } });
    expect(r.status).toBe(201);
    expect((await showCase(gw.db, gw.config, r.body.number)).description).toBe('Steps:\n\t1. open\r\n\t2. fail');
    const c = await api(gw, 'POST', `/api/v1/cases/${gw.caseNumber}/comments`, { body: { author: ANN, body: 'line one\n\tline two' } });
    expect(c.status).toBe(201);
    const d = await api(gw, 'POST', '/api/v1/cases', { body: { ...valid, description: 'bell\u0007' } });
    expect(d.status).toBe(400);
    expect(d.body.hint).toMatch(/^description holds the control character U\+0007/);
  });

  it('documents the rule: each string of the create body carries the pattern the server applies', async () => {
    const gw = await start();
    const doc = (await api(gw, 'GET', '/api/v1/openapi.json', { key: null })).body;
    const props = doc.paths['/api/v1/cases'].post.requestBody.content['application/json'].schema.properties;
    for (const name of ['subject', 'origin', 'description']) expect(new RegExp(props[name].pattern, 'u').test('a\u0000b'), name).toBe(false);
    expect(new RegExp(props.description.pattern, 'u').test('a\n\tb')).toBe(true);
    expect(new RegExp(props.subject.pattern, 'u').test('a\tb')).toBe(false);
  });
});

/** A request with the raw header list as given (Node keeps only the first of two Authorization headers). */
function rawRequest(gw: HttpGateway, path: string, headers: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${gw.base}${path}`, { method: 'GET', headers: ['Host', '127.0.0.1', ...headers] }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('keys: 401 for every wrong way of sending one (what held)', () => {
  it('Basic, a key twice in one header, two Authorization headers, junk after the key', async () => {
    const gw = await start();
    const path = `/api/v1/cases/${gw.caseNumber}`;
    expect((await api(gw, 'GET', path)).status).toBe(200);
    for (const authorization of [`Basic ${Buffer.from(`x:${gw.key}`).toString('base64')}`, `Bearer ${gw.key}, Bearer ${gw.key}`, `Bearer ${gw.key} ${gw.key}`, `Bearer ${gw.key}${' '.repeat(300)}x`]) {
      const r = await rawRequest(gw, path, ['Authorization', authorization]);
      expect(r.status, authorization.slice(0, 40)).toBe(401);
      expect(JSON.parse(r.body)).toEqual({ error: 'unauthorized', hint: expect.stringMatching(/Authorization: Bearer <key>/) });
    }
    const two = await rawRequest(gw, path, ['Authorization', `Bearer ${gw.key}`, 'Authorization', `Bearer ${gw.key}`]);
    expect(two.status).toBe(401);
    expect(JSON.parse(two.body).hint).toMatch(/one Authorization header/);
  });
});

describe('every operation needs its permission (what held)', () => {
  it('a key with every permission but the one an operation needs gets 403 naming it, and nothing changes', async () => {
    const gw = await start();
    const before = { cases: await countRows(gw.db, 'cases'), comments: await countRows(gw.db, 'comments'), collaborators: await countRows(gw.db, 'collaborators') };
    const bodies: Record<string, object> = {
      'POST /api/v1/cases': valid,
      'POST /api/v1/cases/:number/comments': { author: ANN, body: 'hi' },
      'POST /api/v1/cases/:number/collaborators': { email: 'carol@partner.example', as: ANN },
      'DELETE /api/v1/cases/:number/collaborators': { email: 'bob@acme.example', as: ANN },
      'POST /api/v1/cases/:number/contact': { contact: ANN },
      'PATCH /api/v1/cases/:number': { status: 'Closed' },
    };
    expect(OPERATIONS).toHaveLength(10);
    for (const op of OPERATIONS) {
      const key = await gw.newKey(PERMISSIONS.filter((p) => p !== op.permission).join(','));
      const url = op.url.replace(':number', gw.caseNumber) + (op.url.endsWith('contacts') ? '?search=ann' : '');
      const name = `${op.method} ${op.url}`;
      const body = bodies[name];
      const r = await api(gw, op.method, url, body === undefined ? { key } : { key, body });
      expect(r.status, name).toBe(403);
      expect(r.body.hint, name).toMatch(new RegExp(`lacks the ${op.permission} permission`));
    }
    expect({ cases: await countRows(gw.db, 'cases'), comments: await countRows(gw.db, 'comments'), collaborators: await countRows(gw.db, 'collaborators') }).toEqual(before);
    expect(await showCase(gw.db, gw.config, gw.caseNumber)).toMatchObject({ contact: { email: ANN }, status: 'New' });
  });
});

describe('JSON past its limits (what held)', () => {
  it('__proto__ is refused, deep nesting is refused and the server goes on, 1 MiB and one byte is 413', async () => {
    const gw = await start();
    const proto = await api(gw, 'POST', '/api/v1/cases', { raw: `{"subject":"x","customer":{"email":"${ANN}"},"__proto__":{"admin":true}}` });
    expect(proto.status).toBe(400);
    const deep = await api(gw, 'POST', '/api/v1/cases', { raw: `{"subject":"x","customer":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}` });
    expect(deep.status).toBe(400);
    expect(deep.body).toEqual({ error: 'invalid request', hint: expect.any(String) });
    const big = await api(gw, 'POST', '/api/v1/cases', { raw: JSON.stringify({ ...valid, description: 'y'.repeat(1024 * 1024) }) });
    expect(big.status).toBe(413);
    expect(big.body.hint).toMatch(/larger than 1048576 bytes/);
    expect((await api(gw, 'POST', '/api/v1/cases', { body: valid })).status).toBe(201);
    expect(await countRows(gw.db, 'cases')).toBe(2);
  });
});

/** Breaks the database under a running server: the table is gone (SQLite: from a connection of its own). */
async function dropTable(gw: HttpGateway, table: string): Promise<void> {
  if (onPostgres) {
    await execSql(gw.db, `DROP TABLE ${table} CASCADE`);
    return;
  }
  const raw = new Database(gw.config.db);
  raw.exec(`PRAGMA foreign_keys = OFF; DROP TABLE ${table}`);
  raw.close();
}

describe('no stack trace or SQL in any answer (what held)', () => {
  it('a failing database answers 500 with a plain hint, on the API and on the form', async () => {
    const gw = await start();
    await dropTable(gw, 'comments');
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      for (const [method, url, body] of [
        ['GET', `/api/v1/cases/${gw.caseNumber}`, undefined],
        ['POST', `/api/v1/cases/${gw.caseNumber}/comments`, { author: ANN, body: 'hi' }],
      ] as const) {
        const r = await api(gw, method, url, body === undefined ? {} : { body });
        expect(r.status, url).toBe(500);
        expect(r.body).toEqual({ error: 'internal error', hint: 'the server failed on this request; it is logged, try again or report it' });
      }
      await dropTable(gw, 'cases');
      const form = new FormData();
      for (const [k, v] of Object.entries({ name: 'Ann', email: ANN, subject: 's' })) form.append(k, v);
      const res = await fetch(`${gw.base}/web-to-case`, { method: 'POST', body: form });
      const page = await res.text();
      expect(res.status).toBe(500);
      expect(page).toContain('Something went wrong on our side and nothing was saved');
      expect(page).not.toMatch(/sqlite|no such table|at .*\.(js|ts):\d+|SELECT|FROM/i);
    } finally {
      console.error = original;
    }
    // Logged for the operator instead.
    expect(JSON.stringify(errors)).toMatch(onPostgres ? /relation .*comments.* does not exist/ : /no such table/);
  });
});
