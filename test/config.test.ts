// Settings: flags, then environment, then defaults; every bad value is named with what to do.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, withSettings } from '../src/config.js';

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

  it('of the dispatcher: 50 rows per round, 10 at once, a lease of 5 minutes', () => {
    expect(loadConfig({}, {})).toMatchObject({ dispatchBatchSize: 50, dispatchConcurrency: 10, leaseMs: 300_000 });
  });
});

describe('dispatch --lease-seconds', () => {
  it('sets the lease', () => {
    expect(loadConfig({ leaseSeconds: '60' }, {}).leaseMs).toBe(60_000);
  });

  it('is a whole number of seconds, at least 1', () => {
    expect(problems({}, { leaseSeconds: '0' })).toEqual([expect.stringMatching(/^--lease-seconds "0" must be a whole number from 1 to 86400$/)]);
    expect(problems({}, { leaseSeconds: 'soon' })).toEqual([expect.stringMatching(/^--lease-seconds "soon" must be a whole number/)]);
  });
});

describe('a config derived with withSettings', () => {
  const base = loadConfig(
    { db: 'base.db', port: '2600' },
    {
      CASEGATE_DOMAIN: 'help.example.com',
      CASEGATE_FROM: 'desk@example.com',
      CASEGATE_SMTP_URL: 'smtp://relay.example.com:25',
      CASEGATE_RETRY_SCHEDULE: '5,10',
      CASEGATE_CLOSED_CASE_REPLY: 'child',
      CASEGATE_MAX_MESSAGE_BYTES: '20000',
      CASEGATE_MAX_RECIPIENTS: '3',
    },
  );

  it('changes the settings given and keeps every other one of the base', () => {
    const derived = withSettings(base, { db: 'demo.db', outboxDir: 'demo-outbox', port: 0 });
    expect(derived).toEqual({ ...base, db: 'demo.db', outboxDir: 'demo-outbox', port: 0 });
    expect(Object.isFrozen(derived)).toBe(true);
    expect(Object.isFrozen(derived.retrySchedule)).toBe(true);
  });

  it('sets the dispatcher settings', () => {
    expect(withSettings(base, { dispatchBatchSize: 5, dispatchConcurrency: 2, leaseMs: 2000 })).toMatchObject({ dispatchBatchSize: 5, dispatchConcurrency: 2, leaseMs: 2000 });
  });

  it('checks the values as loadConfig does, one message each', () => {
    let found: string[] = [];
    try {
      withSettings(base, { port: 70000, from: 'nobody', dispatchConcurrency: 0, retrySchedule: [60, -1] });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      found = err.problems;
    }
    expect(found).toEqual([
      expect.stringMatching(/^CASEGATE_FROM "nobody" is not an email address/),
      expect.stringMatching(/^port .* "70000" must be a whole number from 0 to 65535/),
      expect.stringMatching(/^dispatchConcurrency "0" must be a whole number from 1 to 1000/),
      expect.stringMatching(/^CASEGATE_RETRY_SCHEDULE "60,-1" must be comma-separated seconds/),
    ]);
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

describe('limits of SPEC §9', () => {
  it('have their defaults', () => {
    const c = loadConfig({}, {});
    expect([c.maxConnectionsPerIp, c.sessionSeconds, c.minDataRate, c.maxUnknownRecipients, c.minFreeBytes]).toEqual([20, 600, 1024, 10, 1024 * 1024 * 1024]);
  });

  it('pipe mode reads its message within CASEGATE_INGEST_TIMEOUT_SECONDS (default 5 min), a whole number of seconds', () => {
    expect(loadConfig({}, {}).ingestTimeoutSeconds).toBe(300);
    expect(loadConfig({}, { CASEGATE_INGEST_TIMEOUT_SECONDS: '2' }).ingestTimeoutSeconds).toBe(2);
    for (const bad of ['0', '1.5', '5m', '86401']) {
      expect(() => loadConfig({}, { CASEGATE_INGEST_TIMEOUT_SECONDS: bad })).toThrow(
        `CASEGATE_INGEST_TIMEOUT_SECONDS "${bad}" must be a whole number from 1 to 86400`,
      );
    }
  });

  it('name every bad value with what it must be', () => {
    const err = (() => {
      try {
        loadConfig({}, { CASEGATE_MAX_CONNECTIONS_PER_IP: '0', CASEGATE_SESSION_SECONDS: 'ten', CASEGATE_MIN_DATA_RATE: '-1', CASEGATE_MAX_UNKNOWN_RECIPIENTS: '1.5', CASEGATE_MIN_FREE_BYTES: '1G' });
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.problems).toEqual([
      'CASEGATE_MAX_CONNECTIONS_PER_IP "0" must be a whole number from 1 to 10000',
      'CASEGATE_SESSION_SECONDS "ten" must be a whole number from 1 to 86400',
      'CASEGATE_MIN_DATA_RATE (bytes per second, 0 for none) "-1" must be a whole number from 0 to 1073741824',
      'CASEGATE_MAX_UNKNOWN_RECIPIENTS "1.5" must be a whole number from 1 to 100000',
      `CASEGATE_MIN_FREE_BYTES (0 for no check) "1G" must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`,
    ]);
  });

  it('refuses a per-IP limit above the total', () => {
    expect(() => loadConfig({}, { CASEGATE_MAX_CONNECTIONS: '10', CASEGATE_MAX_CONNECTIONS_PER_IP: '20' })).toThrow(
      'CASEGATE_MAX_CONNECTIONS_PER_IP 20 is more than CASEGATE_MAX_CONNECTIONS 10; one address could then take every slot: lower it',
    );
  });
});

describe('HTTP settings (SPEC §8)', () => {
  it('default to no HTTP server, loopback, contact sync on, no web contacts, 5,000 web cases a day', () => {
    expect(loadConfig({}, {})).toMatchObject({
      httpPort: null,
      httpHost: '127.0.0.1',
      syncContacts: true,
      webCreateContacts: false,
      webDailyLimit: 5000,
      webRateLimit: 20,
      apiRateLimit: 600,
      apiMaxBodyBytes: 1024 * 1024,
    });
  });

  it('take the port from --http before CASEGATE_HTTP_PORT, and on/off words for the switches', () => {
    expect(loadConfig({ http: '8080' }, { CASEGATE_HTTP_PORT: '9090' }).httpPort).toBe(8080);
    expect(loadConfig({}, { CASEGATE_HTTP_PORT: '9090', CASEGATE_SYNC_CONTACTS: 'off', CASEGATE_WEB_CREATE_CONTACTS: 'YES' })).toMatchObject({
      httpPort: 9090,
      syncContacts: false,
      webCreateContacts: true,
    });
  });

  it('name each bad value', () => {
    expect(
      problems({ CASEGATE_HTTP_PORT: 'http', CASEGATE_SYNC_CONTACTS: 'maybe', CASEGATE_WEB_DAILY_LIMIT: '0', CASEGATE_API_RATE_LIMIT: '-1', CASEGATE_HTTP_HOST: 'a b' }),
    ).toEqual([
      'CASEGATE_HTTP_HOST "a b" is not a host name or IP address; use e.g. 127.0.0.1',
      'CASEGATE_WEB_DAILY_LIMIT "0" must be a whole number from 1 to 10000000',
      'CASEGATE_API_RATE_LIMIT (requests per key per minute) "-1" must be a whole number from 1 to 1000000',
      'HTTP port (--http or CASEGATE_HTTP_PORT) "http" must be a whole number from 0 to 65535',
      'CASEGATE_SYNC_CONTACTS "maybe" must be on or off',
    ]);
  });
});

describe('the public URL of the Help portal', () => {
  it('defaults to the HTTP server\'s own address, else none', () => {
    expect(loadConfig({}, {}).publicUrl).toBeNull();
    expect(loadConfig({ http: 8080 }, {}).publicUrl).toBe('http://127.0.0.1:8080');
    expect(loadConfig({ http: 8080 }, { CASEGATE_HTTP_HOST: '::1' }).publicUrl).toBe('http://[::1]:8080');
  });

  it('takes CASEGATE_PUBLIC_URL without its trailing slash, and names a bad one', () => {
    expect(loadConfig({}, { CASEGATE_PUBLIC_URL: 'https://support.example.com/' }).publicUrl).toBe('https://support.example.com');
    expect(problems({ CASEGATE_PUBLIC_URL: 'support.example.com' })).toEqual([
      'CASEGATE_PUBLIC_URL "support.example.com" is not an http:// or https:// URL; set it to the address people open, e.g. https://support.example.com',
    ]);
  });
});

describe('sender authentication settings (SPEC §4 Sender trust)', () => {
  it('default to enforce, the system resolvers, no trusted relay', () => {
    expect(loadConfig({}, {})).toMatchObject({ senderAuth: 'enforce', dnsServers: null, trustedAuthservId: null });
  });

  it('take a mode in any case, comma-separated resolvers with ports, and a relay name', () => {
    expect(
      loadConfig({}, { CASEGATE_SENDER_AUTH: 'Record', CASEGATE_DNS_SERVERS: '127.0.0.1:5353, 192.0.2.53,[2001:db8::53]:53,::1', CASEGATE_TRUSTED_AUTHSERV_ID: 'mx.example.com' }),
    ).toMatchObject({ senderAuth: 'record', dnsServers: ['127.0.0.1:5353', '192.0.2.53', '[2001:db8::53]:53', '::1'], trustedAuthservId: 'mx.example.com' });
  });

  it('name each bad value', () => {
    expect(problems({ CASEGATE_SENDER_AUTH: 'strict', CASEGATE_DNS_SERVERS: '127.0.0.1:99999,dns.example,', CASEGATE_TRUSTED_AUTHSERV_ID: 'mx example' })).toEqual([
      'CASEGATE_SENDER_AUTH "strict" must be one of enforce, record, off',
      'CASEGATE_DNS_SERVERS "127.0.0.1:99999,dns.example," must be comma-separated IP addresses, each with an optional port (not one: "127.0.0.1:99999", "dns.example", ""); use e.g. 127.0.0.1:53,192.0.2.53 or [2001:db8::53]:53',
      'CASEGATE_TRUSTED_AUTHSERV_ID "mx example" is not an authserv-id; give the relay\'s name as it writes it in Authentication-Results, e.g. mx.example.com',
    ]);
  });
});
