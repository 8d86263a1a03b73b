// What a PostgreSQL failure means is read from its cause: the tables of codes, and the masked URL
// every message and log line shows. (The engine test meets these errors on a real server.)
import { describe, expect, it } from 'vitest';
import { isRetryable, isUnavailable, maskUrl, outOfReach } from '../../src/db/engines/postgresErrors.js';

const withCode = (code: string, message = `failure ${code}`): Error => Object.assign(new Error(message), { code });

describe('a server out of reach is "unavailable", decided by the cause', () => {
  it.each([
    ['connection refused', 'ECONNREFUSED'],
    ['connection reset', 'ECONNRESET'],
    ['connect timeout', 'ETIMEDOUT'],
    ['admin shutdown', '57P01'],
    ['starting up', '57P03'],
    ['a connection exception (class 08)', '08006'],
    ['too many connections', '53300'],
    ['disk full', '53100'],
  ])('%s (%s)', (_what, code) => {
    expect(isUnavailable(withCode(code))).toBe(true);
    expect(isRetryable(withCode(code))).toBe(false);
  });

  it('also when wrapped (drizzle query error, several addresses tried)', () => {
    const wrapped = new Error('Failed query: select 1', { cause: withCode('57P01') });
    expect(isUnavailable(wrapped)).toBe(true);
    expect(isUnavailable(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed'))).toBe(true);
  });

  it("knows node-postgres's messages for a connection that ended, only when they carry no code", () => {
    expect(isUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isUnavailable(withCode('23505', 'Connection terminated unexpectedly'))).toBe(false);
  });

  it('leaves constraint violations and SQL errors to the caller', () => {
    for (const code of ['23505', '23503', '42P01', '42601', '25006']) expect(isUnavailable(withCode(code))).toBe(false);
  });

  it('runs again after a serialization failure or a deadlock', () => {
    expect(isRetryable(withCode('40001'))).toBe(true);
    expect(isRetryable(withCode('40P01'))).toBe(true);
    expect(isRetryable(withCode('23505'))).toBe(false);
  });
});

describe('the URL as printed', () => {
  it('masks the password', () => {
    expect(maskUrl('postgres://casegate:s3cr%40t@db.example:5432/casegate')).toBe('postgres://casegate:***@db.example:5432/casegate');
    expect(maskUrl('postgresql://casegate@db.example/casegate?sslpassword=x&sslmode=require')).toBe('postgresql://casegate@db.example/casegate?sslpassword=***&sslmode=require');
  });

  it('refuses what is not a PostgreSQL URL, saying how to write one', () => {
    expect(() => maskUrl('mysql://u:p@h/db')).toThrow(/postgres:\/\/USER:PASSWORD@HOST:5432\/DATABASE/);
  });

  it('names the masked URL, the cause and what to do in the "unavailable" error', () => {
    const err = outOfReach('postgres://casegate:***@db.example:5432/casegate', withCode('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.5:5432'));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toBe(
      'PostgreSQL at postgres://casegate:***@db.example:5432/casegate is out of reach (connect ECONNREFUSED 10.0.0.5:5432); ' +
        'nothing was kept: check that the server runs and takes connections from this host (--db or CASEGATE_DB), casegate reconnects by itself',
    );
  });
});
