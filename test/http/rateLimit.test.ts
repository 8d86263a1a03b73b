// The HTTP rate limiter counts in the database (SPEC §10), in fixed windows aligned to the clock:
// at most `limit` per key per window, Retry-After until the window ends, keys and scopes apart, and
// the rows of past windows deleted by the first request of a new window.
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { createRateLimiter } from '../../src/http/rateLimit.js';
import { tempDir } from '../helpers/tempDir.js';
import { newDatabase, openTestDb } from '../helpers/testDb.js';

let db: Db | undefined;
let cleanup: (() => void) | undefined;
afterEach(async () => {
  await db?.close();
  cleanup?.();
});

async function openDatabase(): Promise<Db> {
  const t = tempDir('ratelimit');
  cleanup = t.cleanup;
  db = await openTestDb(await newDatabase(t.dir), t.dir);
  return db;
}

const rows = (d: Db) => d.transaction((tx) => tx.all<{ scope: string; key: string; windowStart: number; hits: number }>(
  'SELECT scope, key, window_start AS "windowStart", hits FROM http_rate_limits ORDER BY scope, key, window_start',
), 'read');

describe('a fixed window per key, counted in the database', () => {
  it('takes `limit` requests per window, then says how long until the next one', async () => {
    const d = await openDatabase();
    let t = 600_000 + 45_000; // 45 s into a minute
    const limiter = createRateLimiter(d, { scope: 'api', limit: 2, windowMs: 60_000, now: () => t });
    expect(await limiter.take('7')).toEqual({ ok: true });
    expect(await limiter.take('7')).toEqual({ ok: true });
    expect(await limiter.take('7')).toEqual({ ok: false, retryAfterSeconds: 15 });
    expect(await limiter.take('8')).toEqual({ ok: true });
    t = 660_000;
    expect(await limiter.take('7')).toEqual({ ok: true });
  });

  it('keeps scopes apart, and two limiters on one database (two servers) share one count', async () => {
    const d = await openDatabase();
    const now = () => 1_000;
    const one = createRateLimiter(d, { scope: 'web', limit: 1, windowMs: 3600_000, now });
    const two = createRateLimiter(d, { scope: 'web', limit: 1, windowMs: 3600_000, now });
    const api = createRateLimiter(d, { scope: 'api', limit: 1, windowMs: 3600_000, now });
    expect(await one.take('192.0.2.1')).toEqual({ ok: true });
    expect((await two.take('192.0.2.1')).ok).toBe(false);
    expect(await api.take('192.0.2.1')).toEqual({ ok: true });
  });

  it('deletes the rows of past windows when a new window starts, and only of its own scope', async () => {
    const d = await openDatabase();
    let t = 0;
    const api = createRateLimiter(d, { scope: 'api', limit: 5, windowMs: 60_000, now: () => t });
    const web = createRateLimiter(d, { scope: 'web', limit: 5, windowMs: 3600_000, now: () => t });
    await api.take('1');
    await api.take('2');
    await web.take('192.0.2.1');
    t = 60_000;
    await api.take('1');
    expect(await rows(d)).toEqual([
      { scope: 'api', key: '1', windowStart: 60_000, hits: 1 },
      { scope: 'web', key: '192.0.2.1', windowStart: 0, hits: 1 },
    ]);
  });
});
