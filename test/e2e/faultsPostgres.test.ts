// SPEC §10: the database out of reach is a temporary condition. A real PostgreSQL of this file's own
// is stopped (`pg_ctl stop -m fast`) under a load of SMTP sessions and started again: every message
// answered 250 is stored once, every other answer is 451 4.3.0, LMTP answers 451, pipe mode exits
// 75, HTTP answers 503 with Retry-After (JSON for the API, a page for Web-to-Case), `serve` started
// meanwhile exits 75, the outage is logged once, and everything answers as before once it is back,
// with no restart. Also: two HTTP servers on one database share the rate limits.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiKey } from '../../src/admin/apiKeys.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { runCli } from '../helpers/cli.js';
import { startPostgres, withClient, type PgCluster } from '../helpers/postgres.js';
import { ANN } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPostgres({ fsync: false });
}, 120_000);
afterAll(() => cluster?.release());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SENDERS = 20;

/** The comment bodies of the database, by the token each test message carries. */
async function storedTokens(url: string): Promise<Map<string, number>> {
  const rows = await withClient(url, (c) => c.query<{ body: string }>('SELECT body FROM comments'));
  const counts = new Map<string, number>();
  for (const { body } of rows.rows) {
    const token = /token-[a-z0-9]+-[a-z0-9]+/.exec(body)?.[0];
    if (token !== undefined) counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  return counts;
}

const apiGet = (port: number, key: string, url: string) => fetch(`http://127.0.0.1:${port}${url}`, { headers: { authorization: `Bearer ${key}` } });
const webPost = (port: number) => {
  const form = new FormData();
  for (const [k, v] of Object.entries({ name: 'Ann Archer', email: ANN, subject: 'The printer', description: 'It jams.' })) form.append(k, v);
  return fetch(`http://127.0.0.1:${port}/web-to-case`, { method: 'POST', body: form });
};

describe('PostgreSQL stopped under load and started again', () => {
  it('answers 451 / 75 / 503 meanwhile, loses nothing it acknowledged, logs the outage once and recovers by itself', async () => {
    const url = await cluster.createDatabase();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const gateways: Gateway[] = [];
    try {
      const smtp = await startGateway({ CASEGATE_HTTP_PORT: '0', CASEGATE_MIN_FREE_BYTES: '0' }, { location: url });
      gateways.push(smtp);
      const lmtp = await startGateway({ CASEGATE_MIN_FREE_BYTES: '0' }, { location: url, lmtp: true, seed: false });
      gateways.push(lmtp);
      const httpPort = smtp.httpPort as number;
      const key = (await smtp.db.transaction((tx) => createApiKey(tx, 'faults'))).key;
      const blobEnv = { CASEGATE_BLOB_DIR: path.join(smtp.dir, 'blobs'), CASEGATE_OUTBOX_DIR: path.join(smtp.dir, 'outbox') };
      const pipe = (token: string) => runCli(['ingest', '--rcpt', smtp.caseAddress, '--mail-from', ANN], { db: url, env: blobEnv, input: mail({ from: ANN, body: token }) });

      // The load: 20 senders, one message per SMTP session, until told to stop.
      const answers: Array<{ token: string; code: number; response: string; phase: string }> = [];
      let phase: 'before' | 'down' | 'after' = 'before';
      let running = true;
      const sender = async (n: number) => {
        for (let i = 0; running; i++) {
          const token = `token-${n}-${i}`;
          const at = phase;
          const r = await smtp.send(mail({ from: ANN, body: `Still jammed (${token}).` }), { from: ANN, to: [smtp.caseAddress] });
          answers.push({ token, code: r.code, response: r.response, phase: at });
          if (r.code !== 250) await sleep(20);
        }
      };
      const load = Array.from({ length: SENDERS }, (_, n) => sender(n));
      const taken = (p: string) => answers.filter((a) => a.phase === p && a.code === 250).length;
      while (taken('before') < 3 * SENDERS) await sleep(20);

      await cluster.stop();
      phase = 'down';
      // Meanwhile, every other way in says "later".
      const lmtpDown = await lmtp.send(mail({ from: ANN, body: 'token-lmtp-down' }), { from: ANN, to: [lmtp.caseAddress] });
      expect(lmtpDown.code).toBe(451);
      const pipeDown = await pipe('token-pipe-down');
      expect(pipeDown.code).toBe(75);
      expect(pipeDown.stderr).toMatch(/out of reach/);
      const apiDown = await apiGet(httpPort, key, `/api/v1/cases/${smtp.caseNumber}`);
      expect(apiDown.status).toBe(503);
      expect(apiDown.headers.get('retry-after')).toBe('30');
      expect(await apiDown.json()).toEqual({ error: 'unavailable', hint: expect.stringMatching(/database is out of reach.*try again in 30 s/) });
      const webDown = await webPost(httpPort);
      expect(webDown.status).toBe(503);
      expect(webDown.headers.get('retry-after')).toBe('30');
      expect(webDown.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await webDown.text()).toMatch(/nothing of yours was saved/);
      const serveDown = await runCli(['serve', '--port', '0'], { db: url, env: blobEnv });
      expect(serveDown.code).toBe(75);
      expect(serveDown.stderr).toMatch(/out of reach[\s\S]*not started: run serve again when the database is back/);
      expect(serveDown.stderr).not.toContain(new URL(url).password);
      while (answers.filter((a) => a.phase === 'down').length < 2 * SENDERS) await sleep(20);

      await cluster.start();
      phase = 'after';
      while (taken('after') < 2 * SENDERS) await sleep(20);
      running = false;
      await Promise.all(load);

      // Back: the same processes take everything again.
      expect((await lmtp.send(mail({ from: ANN, body: 'token-lmtp-up' }), { from: ANN, to: [lmtp.caseAddress] })).code).toBe(250);
      expect((await pipe('token-pipe-up')).code).toBe(0);
      expect((await apiGet(httpPort, key, `/api/v1/cases/${smtp.caseNumber}`)).status).toBe(200);
      expect((await webPost(httpPort)).status).toBe(200);

      const stored = await storedTokens(url);
      const acknowledged = answers.filter((a) => a.code === 250);
      const other = answers.filter((a) => a.code !== 250);
      for (const a of acknowledged) expect(stored.get(a.token), `${a.token} was answered 250`).toBe(1);
      for (const a of other) expect(`${a.code} ${a.response}`).toMatch(/^451 .*4\.3\.0/);
      // A message answered 451 may have committed as the server went down (its COMMIT's answer lost): never twice.
      for (const a of other) expect(stored.get(a.token) ?? 0).toBeLessThanOrEqual(1);
      expect(other.length).toBeGreaterThan(0);
      expect(stored.get('token-lmtp-down')).toBeUndefined();
      expect(stored.get('token-pipe-down')).toBeUndefined();
      expect(stored.get('token-lmtp-up')).toBe(1);
      expect(stored.get('token-pipe-up')).toBe(1);

      // One line per outage and gateway, not one per message: each of the two gateways said it once.
      const lines = logged.mock.calls.map((c) => String(c[0]));
      const down = lines.filter((l) => l.startsWith('casegate: database out of reach: postgres://casegate:***@127.0.0.1:'));
      const up = lines.filter((l) => l.startsWith('casegate: database reachable again after'));
      expect(down.length).toBeGreaterThanOrEqual(1);
      expect(down.length).toBeLessThanOrEqual(2);
      expect(up).toHaveLength(down.length);
      expect(down[0]).toMatch(/mail is answered 451 and HTTP 503 until it is back/);
      expect(lines.filter((l) => /could not store a message/.test(l))).toEqual([]);
      console.warn(`faults on PostgreSQL: ${acknowledged.length} answered 250, ${other.length} answered 451 (${answers.filter((a) => a.phase === 'down').length} sent while down)`);
    } finally {
      logged.mockRestore();
      for (const g of gateways.reverse()) await g.close();
    }
  }, 120_000);
});

describe('HTTP rate limits are counted in the database', () => {
  it('two HTTP servers on one database share the API and Web-to-Case budgets: the second answers 429', async () => {
    const url = await cluster.createDatabase();
    const env = { CASEGATE_HTTP_PORT: '0', CASEGATE_API_RATE_LIMIT: '3', CASEGATE_WEB_RATE_LIMIT: '2' };
    const first = await startGateway(env, { location: url });
    const second = await startGateway(env, { location: url, seed: false });
    try {
      const key = (await first.db.transaction((tx) => createApiKey(tx, 'shared'))).key;
      for (let i = 0; i < 3; i++) expect((await apiGet(first.httpPort as number, key, `/api/v1/cases/${first.caseNumber}`)).status).toBe(200);
      const limited = await apiGet(second.httpPort as number, key, `/api/v1/cases/${first.caseNumber}`);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await limited.json()) as { hint: string }).hint).toMatch(/more than 3 requests this minute/);

      for (let i = 0; i < 2; i++) expect((await webPost(first.httpPort as number)).status).toBe(200);
      const web = await webPost(second.httpPort as number);
      expect(web.status).toBe(429);
      expect(Number(web.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await second.close();
      await first.close();
    }
  });
});
