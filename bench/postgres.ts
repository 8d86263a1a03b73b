// The PostgreSQL of a benchmark run: one throwaway cluster (test/helpers/postgresCluster.ts: initdb in
// a folder under os.tmpdir() as the postgres user, a free loopback port, fsync on), started by the
// first row that asks for it and removed when the run ends. Where Debian's PostgreSQL is not
// installed (or we are not root), the rows say why they were skipped instead of failing.
import { postgresBinaries, startPostgres, withClient, type PgCluster } from '../test/helpers/postgresCluster.js';
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

/**
 * A database of the run's cluster (a copy of the migrated template) for `work`, dropped afterwards:
 * the cluster's shutdown checkpoint then has nothing of it left to write.
 */
export async function withBenchDatabase<T>(cluster: PgCluster, work: (url: string) => Promise<T>): Promise<T> {
  const url = await cluster.createDatabase();
  try {
    return await work(url);
  } finally {
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    await withClient(cluster.adminUrl, (c) => c.query(`DROP DATABASE "${name.replace(/"/g, '""')}" WITH (FORCE)`));
  }
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
