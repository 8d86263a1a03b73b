// Operating it: /metrics scraped for real and checked by promtool (Debian's prometheus package),
// counted by the stage that decided; /healthz and /readyz; one JSON log line per SMTP transaction,
// per dispatch attempt and per HTTP request, with no body, key or password in any of them.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, EVE } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { createDispatcher } from '../../src/outbound/dispatcher.js';
import { createMetrics } from '../../src/metrics.js';
import { createLog } from '../../src/log.js';
import { captureTransport } from '../helpers/capture.js';

const SECRET_BODY = 'The door code is 4711-secret-body';
const PASSWORD = 'hunter2-relay-password';

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway({ CASEGATE_HTTP_PORT: '0', CASEGATE_SMTP_URL: `smtp://casegate:${PASSWORD}@127.0.0.1:9` });
  expect(gw.httpBase).not.toBeNull();
  // One reply taken, one refused (not a participant), one dropped as automatic.
  expect((await gw.send(mail({ from: ANN, body: SECRET_BODY }), { from: ANN, to: [gw.caseAddress] })).code).toBe(250);
  expect((await gw.send(mail({ from: EVE }), { from: EVE, to: [gw.caseAddress] })).code).toBe(550);
  expect((await gw.send(mail({ from: ANN, headers: { 'Auto-Submitted': 'auto-replied' } }), { from: ANN, to: [gw.caseAddress] })).code).toBe(250);
});
afterAll(() => gw?.close());

const get = async (path: string, headers: Record<string, string> = {}) => {
  const r = await fetch(`${gw.httpBase}${path}`, { headers });
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
};

/** promtool's verdict on a scrape: exit code and what it said. */
function promtool(text: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile('promtool', ['check', 'metrics'], { timeout: 10_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
    child.stdin?.end(text);
  });
}

/** The value of one sample of the scrape, by its name and labels as written. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('is Prometheus text that promtool accepts, with the default process and event-loop metrics', async () => {
    const r = await get('/metrics');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const checked = await promtool(r.text);
    // promtool parses, then lints: its only remarks are on three gauges prom-client itself names
    // (nodejs_active_*_total); a format error would be a parse error with exit 1.
    const remarks = checked.out.split('\n').filter((l) => l !== '' && !/^nodejs_active_\w+_total non-counter metrics should not have "_total" suffix$/.test(l));
    expect(remarks).toEqual([]);
    expect([0, 3]).toContain(checked.code);
    expect(r.text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(r.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('counts each recipient by result and by the stage that decided, once committed', async () => {
    const { text } = await get('/metrics');
    expect(sample(text, 'casegate_inbound_messages_total{result="accepted",stage="comment"}')).toBe(1);
    expect(sample(text, 'casegate_inbound_messages_total{result="refused",stage="participant"}')).toBe(1);
    expect(sample(text, 'casegate_inbound_messages_total{result="accepted",stage="automatic"}')).toBe(1);
    expect(sample(text, 'casegate_ingest_seconds_count')).toBe(3);
  });

  it('reads the outbox on each scrape: rows by status and how long the oldest due row waits', async () => {
    const { text } = await get('/metrics');
    // The accepted reply queued a notification for Bob, the collaborator (no dispatcher runs here).
    expect(sample(text, 'casegate_outbox_rows{status="pending"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'casegate_outbox_rows{status="failed"}')).toBe(0);
    expect(sample(text, 'casegate_outbox_oldest_due_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('has the dispatch, bounce and sender authentication families from the first scrape', async () => {
    const { text } = await get('/metrics');
    expect(sample(text, 'casegate_dispatch_messages_total{result="sent"}')).toBe(0);
    expect(sample(text, 'casegate_bounces_total{kind="permanent"}')).toBe(0);
    expect(text).toMatch(/^# TYPE casegate_sender_auth_total counter$/m);
  });
});

describe('GET /healthz and /readyz', () => {
  it('answer 200 while the database, the disk and the listeners are fine', async () => {
    expect(await get('/healthz')).toMatchObject({ status: 200, text: '{"status":"ok"}' });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ ready: true, checks: { database: { ok: true }, disk: { ok: true }, smtp: { ok: true }, http: { ok: true } } });
  });

  it('answers 503 naming what is wrong when the disk is below the free-space threshold', async () => {
    const low = await startGateway({ CASEGATE_HTTP_PORT: '0', CASEGATE_MIN_FREE_BYTES: String(Number.MAX_SAFE_INTEGER) });
    try {
      const r = await fetch(`${low.httpBase}/readyz`);
      expect(r.status).toBe(503);
      const body = (await r.json()) as { ready: boolean; checks: Record<string, { ok: boolean; problem?: string }> };
      expect(body.ready).toBe(false);
      expect(body.checks.database).toEqual({ ok: true });
      expect(body.checks.disk?.problem).toMatch(/below CASEGATE_MIN_FREE_BYTES .*new mail is answered 452/);
      expect((await fetch(`${low.httpBase}/healthz`)).status).toBe(200);
    } finally {
      await low.close();
    }
  });
});

describe('JSON logs', () => {
  it('one line per SMTP transaction: session, client, envelope, answer, case, ms; never the body', async () => {
    const lines = gw.logged.map((l) => JSON.parse(l) as Record<string, unknown>);
    const smtp = lines.filter((l) => l.event === 'smtp');
    expect(smtp).toHaveLength(3);
    expect(smtp[0]).toMatchObject({ level: 'info', client: '127.0.0.1', mailFrom: ANN, rcpt: [gw.caseAddress], code: 250, case: gw.caseNumber });
    expect(smtp[0]?.answer).toMatch(/^250 2\.6\.0 added to case/);
    expect(typeof smtp[0]?.session).toBe('string');
    expect(typeof smtp[0]?.ms).toBe('number');
    expect(typeof smtp[0]?.time).toBe('string');
    expect(smtp[1]).toMatchObject({ code: 550, mailFrom: EVE });
    expect(smtp[1]?.answer).toMatch(/^550 5\.7\.1 this sender may not reply here/);
    expect(gw.logged.join('')).not.toContain('4711-secret-body');
  });

  it('one line per HTTP request, path only, with no key', async () => {
    await get(`/api/v1/cases/${gw.caseNumber}?search=4711`, { authorization: 'Bearer cg_live_thisisakeyvalue' });
    const http = gw.logged.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'http');
    expect(http.at(-1)).toMatchObject({ method: 'GET', path: `/api/v1/cases/${gw.caseNumber}`, status: 401, client: '127.0.0.1' });
    expect(gw.logged.join('')).not.toMatch(/thisisakeyvalue|search=4711/);
  });

  it('one line per dispatch attempt, counted; the relay password never appears', async () => {
    const transport = captureTransport();
    const metrics = createMetrics(null);
    const logged: string[] = [];
    const dispatcher = createDispatcher({ db: gw.db, config: gw.config, transport, metrics, logger: createLog('json', { write: (l: string) => logged.push(l) }) });
    const pass = await dispatcher.runOnce();
    expect(pass.sent).toBeGreaterThanOrEqual(1);
    const lines = logged.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ event: 'dispatch', result: 'sent', attempt: 1, level: 'info' });
    expect(lines).toHaveLength(pass.sent);
    expect(sample(await metrics.scrape(), 'casegate_dispatch_messages_total{result="sent"}')).toBe(pass.sent);
    expect([...gw.logged, ...logged].join('')).not.toContain(PASSWORD);
    expect([...gw.logged, ...logged].join('')).not.toContain('4711-secret-body');
  });
});
