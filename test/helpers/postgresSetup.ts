// vitest globalSetup: with CASEGATE_TEST_ENGINE=postgres, one throwaway PostgreSQL for the whole run,
// whose admin URL every test file gets through inject('postgresAdminUrl') (test/helpers/postgres.ts);
// otherwise nothing, and the few PostgreSQL test files start a cluster of their own.
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgresCluster.js';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.CASEGATE_TEST_ENGINE !== 'postgres') {
    project.provide('postgresAdminUrl', '');
    return undefined;
  }
  // fsync off: the suite checks behaviour; tests of durability stop and start a cluster of their own.
  const cluster = await startPostgres({ fsync: false });
  project.provide('postgresAdminUrl', cluster.adminUrl);
  return () => cluster.release();
}
