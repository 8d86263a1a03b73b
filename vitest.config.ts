import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // With CASEGATE_TEST_ENGINE=postgres, one throwaway PostgreSQL for the whole run; otherwise nothing.
    globalSetup: ['test/helpers/postgresSetup.ts'],
    // No test reaches the machine's resolver: sender authentication is off unless a test sets it
    // (test/helpers/dns.ts serves the records of the tests that do).
    env: { CASEGATE_SENDER_AUTH: 'off' },
  },
});
