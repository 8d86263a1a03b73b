// A fixed-window counter per key (an API key, an IP address): at most `limit` requests per window
// of `windowMs`, windows aligned to the clock. The counts live in the database (src/db/rateLimits.ts),
// so that every HTTP server on one database shares one budget (SPEC §10); each request is one
// atomic increment in a transaction of its own. The first request a process sees in a new window
// deletes the rows of the windows before it.
import type { Db } from '../db/client.js';
import { countHit, deleteWindowsBefore } from '../db/rateLimits.js';

export type Slot = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Counts one request of `key`; ok, or how many seconds until the next window. */
  take(key: string): Promise<Slot>;
}

export interface RateLimitOptions {
  /** What the counts are of (`api`, `web`): keys of different scopes never share a count. */
  readonly scope: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly now: () => number;
}

export function createRateLimiter(db: Db, { scope, limit, windowMs, now }: RateLimitOptions): RateLimiter {
  let pruned = -1;
  return {
    async take(key) {
      const t = now();
      const current = Math.floor(t / windowMs);
      const windowStart = current * windowMs;
      const prune = pruned !== current;
      const hits = await db.transaction(async (tx) => {
        if (prune) await deleteWindowsBefore(tx, scope, windowStart);
        return countHit(tx, scope, key, windowStart);
      });
      pruned = current;
      if (hits <= limit) return { ok: true };
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((windowStart + windowMs - t) / 1000)) };
    },
  };
}
