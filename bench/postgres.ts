// The PostgreSQL of a benchmark run: one throwaway cluster (test/helpers/postgresCluster.ts: initdb in
// a folder under os.tmpdir() as the postgres user, a free loopback port, fsync on), started by the
// first row that asks for it and removed when the run ends. Where Debian's PostgreSQL is not
// installed (or we are not root), the rows say why they were skipped instead of failing.
import { postgresBinaries, startPostgres, type PgCluster } from '../test/helpers/postgresCluster.js';
import type { Row } from './table.js';

export type { PgCluster } from '../test/helpers/postgresCluster.js';

let started: Promise<PgCluster> | null = null;

/** Why the PostgreSQL rows cannot run here, or null when they can. */
export function postgresUnavailable(): string | null {
  try {
    postgresBinaries();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The run's cluster, started on first use. */
export function benchPostgres(): Promise<PgCluster> {
  started ??= startPostgres({ fsync: true });
  return started;
}

/** Stops the run's cluster and removes its folder, if one was started. */
export async function releaseBenchPostgres(): Promise<void> {
  const cluster = await started?.catch(() => null);
  started = null;
  await cluster?.release();
}

/** Rows that could not run: the table says so, with the reason in the notes. */
export function skippedRows(rows: { id: string; name: string }[]): Row[] {
  return rows.map((r) => ({ ...r, casegate: 'skipped: no PostgreSQL', baseline: '-', ratio: NaN, target: null, verdict: 'skipped' }));
}
