// The `http_rate_limits` table: requests per key in fixed windows, counted in the database so that
// every node of one database shares the limit (SPEC §10). One atomic upsert per request; the rows of
// past windows are deleted, so the table holds about one window of keys.
import type { Tx } from './engine.js';

/** Counts one request of `key` in the window starting at `windowStart`; the window's count after it. */
export async function countHit(tx: Tx, scope: string, key: string, windowStart: number): Promise<number> {
  const row = await tx.get<{ hits: number }>(
    'INSERT INTO http_rate_limits (scope, key, window_start, hits) VALUES (?, ?, ?, 1) ' +
      'ON CONFLICT (scope, key, window_start) DO UPDATE SET hits = http_rate_limits.hits + 1 RETURNING hits',
    [scope, key, windowStart],
  );
  return Number(row?.hits ?? 0);
}

/** Deletes the counts of `scope` in windows that started before `windowStart`; how many rows went. */
export async function deleteWindowsBefore(tx: Tx, scope: string, windowStart: number): Promise<number> {
  return (await tx.run('DELETE FROM http_rate_limits WHERE scope = ? AND window_start < ?', [scope, windowStart])).changes;
}
