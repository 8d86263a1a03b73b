// Settings: flags, then environment, then defaults; every bad value is named with what to do.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function problems(env: Record<string, string>, flags = {}): string[] {
  try {
    loadConfig(flags, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('defaults', () => {
  it('are those of SPEC §6', () => {
    const c = loadConfig({}, {});
    expect(c).toMatchObject({
      db: 'data/casegate.db',
      domain: 'cases.localhost',
      from: 'support@cases.localhost',
      smtpUrl: null,
      outboxDir: 'data/outbox',
      defaultOwner: null,
      host: '127.0.0.1',
      port: 2525,
      maxMessageBytes: 35 * 1024 * 1024,
      closedCaseReply: 'reopen',
    });
    expect(Object.isFrozen(c)).toBe(true);
  });
});

describe('flags win over the environment', () => {
  it('for --db, --host and --port', () => {
    const c = loadConfig({ db: 'x.db', host: '::1', port: '2600' }, { CASEGATE_DB: 'y.db', CASEGATE_HOST: '127.0.0.2', CASEGATE_PORT: '2700' });
    expect([c.db, c.host, c.port]).toEqual(['x.db', '::1', 2600]);
  });
});

describe('bad values', () => {
  it('get one message each, all at once', () => {
    const found = problems({
      CASEGATE_DOMAIN: 'not a domain',
      CASEGATE_FROM: 'nobody',
      CASEGATE_SMTP_URL: 'http://relay',
      CASEGATE_DEFAULT_OWNER: 'sam',
      CASEGATE_PORT: '99999',
      CASEGATE_MAX_MESSAGE_BYTES: '12k',
      CASEGATE_CLOSED_CASE_REPLY: 'ignore',
      CASEGATE_RETRY_SCHEDULE: '60,soon',
      CASEGATE_TLS_KEY: '/nonexistent/key.pem',
      CASEGATE_TLS_CERT: '/nonexistent/cert.pem',
    });
    expect(found).toEqual([
      expect.stringMatching(/^CASEGATE_DOMAIN "not a domain" is not a domain name/),
      expect.stringMatching(/^CASEGATE_FROM "nobody" is not an email address/),
      expect.stringMatching(/^CASEGATE_SMTP_URL "http:\/\/relay" is not an smtp:\/\/ or smtps:\/\/ URL/),
      expect.stringMatching(/^CASEGATE_DEFAULT_OWNER "sam" is not an email address/),
      expect.stringMatching(/^port .* "99999" must be a whole number from 0 to 65535/),
      expect.stringMatching(/^CASEGATE_MAX_MESSAGE_BYTES "12k" must be a whole number/),
      expect.stringMatching(/^CASEGATE_CLOSED_CASE_REPLY "ignore" must be one of reopen, refuse, child/),
      expect.stringMatching(/^CASEGATE_TLS_KEY "\/nonexistent\/key.pem" cannot be read \(ENOENT\)/),
      expect.stringMatching(/^CASEGATE_TLS_CERT "\/nonexistent\/cert.pem" cannot be read/),
      expect.stringMatching(/^CASEGATE_RETRY_SCHEDULE "60,soon" must be comma-separated seconds/),
    ]);
  });
});
