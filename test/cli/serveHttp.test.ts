// `casegate serve --http PORT`: the real binary serves Web-to-Case and the API beside SMTP, says
// where, logs each request in one line (JSON on stderr when stderr is no terminal), and stops on SIGTERM.
import { describe, expect, it, vi } from 'vitest';
import { newTestDb, startServe } from '../helpers/cli.js';

describe('casegate serve --http', () => {
  it('serves the API with a key from apikey create, logs one line per request and stops on SIGTERM', async () => {
    const t = await newTestDb();
    try {
      const key = (await t.run('apikey', 'create', 'ops', '--json')).json().key as string;
      const served = await startServe(t.db, ['--no-dispatch', '--http', '0']);
      try {
        await vi.waitFor(() => expect(served.stdout()).toMatch(/http listening on 127\.0\.0\.1:\d+/), { timeout: 10_000 });
        const port = Number(/http listening on 127\.0\.0\.1:(\d+)/.exec(served.stdout())?.[1]);
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/cases`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ subject: 'From the API', customer: { email: 'zoe@example.com' } }),
        });
        expect(res.status).toBe(201);
        const shown = await t.run('case', 'show', ((await res.json()) as { number: string }).number, '--json');
        expect(shown.json()).toMatchObject({ subject: 'From the API', origin: 'API', contact: { email: 'zoe@example.com' } });
        const requests = () =>
          served
            .stderr()
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l) as Record<string, unknown>)
            .filter((l) => l.event === 'http');
        await vi.waitFor(() => expect(requests()).toEqual([expect.objectContaining({ level: 'info', method: 'POST', path: '/api/v1/cases', status: 201, msg: expect.stringMatching(/^http POST \/api\/v1\/cases 201 \d+\.\dms$/) })]), { timeout: 10_000 });
        expect(served.stderr()).not.toContain(key);
      } finally {
        await served.stop();
      }
      expect(served.proc.exitCode).toBe(0);
    } finally {
      t.cleanup();
    }
  });
});
