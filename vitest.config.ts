import { configDefaults, defineConfig } from 'vitest/config';

const onPostgres = process.env.CASEGATE_TEST_ENGINE === 'postgres';

/**
 * Tests that touch no database (pure rules, parsing, composing, settings): the SQLite run has them,
 * the PostgreSQL run (CASEGATE_TEST_ENGINE=postgres) runs only what touches storage.
 */
const PURE = [
  'test/domain/**',
  'test/config.test.ts',
  'test/cli/ingestHandOff.test.ts',
  'test/cli/signals.test.ts',
  'test/configFile.test.ts',
  // The production install's prepare step and the symlink on the PATH: nothing of the engine under test.
  'test/install.test.ts',
  'test/layout.test.ts',
  'test/heapPolicy.test.ts',
  'test/bench/**',
  'test/db/placeholders.test.ts',
  'test/db/postgresErrors.test.ts',
  'test/db/blobs.test.ts',
  'test/db/sqliteEngine.test.ts',
  'test/db/checkpointer.test.ts',
  // Starts, stops and starts a PostgreSQL of its own on either run: once is enough.
  'test/e2e/faultsPostgres.test.ts',
  'test/ingest/bounceFixtures.test.ts',
  'test/ingest/dsn.test.ts',
  'test/import/sources.test.ts',
  'test/contrib.test.ts',
  'test/ingest/headerText.test.ts',
  'test/ingest/htmlText.test.ts',
  'test/ingest/worstCase.test.ts',
  'test/ingest/oneAuthor.test.ts',
  'test/ingest/parse.test.ts',
  'test/ingest/parseStreams.test.ts',
  'test/ingest/deferredRequire.test.ts',
  'test/ingest/stages.test.ts',
  'test/outbound/compose.test.ts',
  'test/outbound/dkimKey.test.ts',
  'test/outbound/retry.test.ts',
];

/**
 * Tests that store through the database but whose subject is not the storage: the robustness of the
 * parser under mutated mail, and a real Postfix in front of the gateway. The SQLite run has them; on
 * PostgreSQL the same stages and stores are covered by the e2e, CLI and db tests, and these would only
 * repeat a minute of parsing and relaying (the CI run must stay under 15 minutes on 2 cores).
 */
const ONCE = ['test/ingest/fuzz.test.ts', 'test/e2e/postfix.test.ts'];

/**
 * Tests that touch storage but only the default SQLite file, whatever the engine under test: the
 * docs' examples make their own database (`casegate init` in a fresh folder), as a reader would.
 * serve's store thread is SQLite's alone (PostgreSQL's transactions run side by side on the pool).
 * The PostgreSQL run leaves them out.
 */
const SQLITE_ONLY = ['test/docs/**', 'test/ingest/storeThread.test.ts', 'test/cli/serveCheckpoint.test.ts'];

/**
 * CLI files of admin nouns whose storage test/db/adminOnEngines.test.ts runs in-process on both engines
 * (the same functions and transactions the commands call, every refusal checked to write nothing): the
 * PostgreSQL run has that file instead of ~4 process starts per test; the SQLite run keeps these for the
 * commands themselves (flags, output, exit codes). dkim stores nothing.
 */
const CLI_SQLITE_ONLY = ['account', 'user', 'contact', 'asset', 'recordtype', 'rule', 'routing', 'routingSettings', 'apikey', 'dkim'].map(
  (noun) => `test/cli/${noun}.test.ts`,
);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: onPostgres ? [...configDefaults.exclude, ...PURE, ...ONCE, ...SQLITE_ONLY, ...CLI_SQLITE_ONLY] : configDefaults.exclude,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Three workers on two cores: a worker waits on its child processes, servers and PostgreSQL (the
    // whole CI run used 61 % of both cores with two); the CLI tests alone took 145 s with two, 134 with three.
    maxWorkers: 3,
    // With CASEGATE_TEST_ENGINE=postgres, one throwaway PostgreSQL for the whole run, and every test
    // database a database of it (test/helpers/testDb.ts); otherwise SQLite files.
    globalSetup: ['test/helpers/postgresSetup.ts'],
    // No test reaches the machine's resolver: sender authentication is off unless a test sets it
    // (test/helpers/dns.ts serves the records of the tests that do).
    env: { CASEGATE_SENDER_AUTH: 'off' },
  },
});
