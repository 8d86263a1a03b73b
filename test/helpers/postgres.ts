// PostgreSQL for a test file: `usePostgres()` gives the run's shared cluster when there is one
// (CASEGATE_TEST_ENGINE=postgres, started by test/helpers/postgresSetup.ts), else starts one of the
// file's own (test/helpers/postgresCluster.ts), so that the PostgreSQL tests also run in a plain
// `npm test`. A test that stops the server always starts its own with startPostgres().
import { inject } from 'vitest';
import { sharedCluster, startPostgres, type PgCluster, type StartOptions } from './postgresCluster.js';

export { startPostgres, withClient, type PgCluster } from './postgresCluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the role `casegate` (CREATEDB) on the run's shared cluster; '' when there is none. */
    postgresAdminUrl: string;
  }
}

/** The run's shared cluster when there is one, else a new one of this file's own (release() it in afterAll). */
export async function usePostgres(options: StartOptions = {}): Promise<PgCluster> {
  const shared = inject('postgresAdminUrl');
  return shared ? sharedCluster(shared) : startPostgres(options);
}
