// A fixed-window counter per key (an API key, an IP address): at most `limit` takes per window of
// `windowMs`; windows are aligned to the clock, and the counts of a past window are dropped whole,
// so memory is bounded by the keys seen in one window.

export interface RateLimiter {
  /** Counts one take for `key`; ok, or how many seconds until the next window. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number };
}

export function createRateLimiter(limit: number, windowMs: number, now: () => number): RateLimiter {
  let window = -1;
  let counts = new Map<string, number>();
  return {
    take(key) {
      const t = now();
      const current = Math.floor(t / windowMs);
      if (current !== window) {
        window = current;
        counts = new Map();
      }
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      if (n <= limit) return { ok: true };
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((current + 1) * windowMs - t) / 1000)) };
    },
  };
}
