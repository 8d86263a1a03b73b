// The retry policy: the schedule, and which delivery errors are worth another attempt.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_SCHEDULE } from '../../src/config.js';
import { DELIVERY_ANSWERS, PermanentDeliveryError, classifyDeliveryError, nextAttemptDelay } from '../../src/outbound/retry.js';

const smtpError = (responseCode: number, response: string, code = 'EENVELOPE') =>
  Object.assign(new Error(`Can't send mail - all recipients were rejected: ${response}`), { responseCode, response, code });
const netError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('retry schedule', () => {
  it('waits the n-th delay after the n-th failed attempt, then gives up', () => {
    expect(nextAttemptDelay(1, [60, 300])).toBe(60_000);
    expect(nextAttemptDelay(2, [60, 300])).toBe(300_000);
    expect(nextAttemptDelay(3, [60, 300])).toBeNull();
    expect(nextAttemptDelay(1, [])).toBeNull();
  });

  it('the default schedule backs off and spans about two days', () => {
    const s = DEFAULT_RETRY_SCHEDULE;
    for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThan(s[i - 1]!);
    const total = s.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(24 * 3600);
    expect(nextAttemptDelay(s.length + 1, s)).toBeNull();
  });
});

describe('classifying delivery errors', () => {
  it.each([
    [smtpError(451, '451 4.3.0 Try again later'), 'retry'],
    [smtpError(421, '421 4.7.0 Too many connections', 'ECONNECTION'), 'retry'],
    [smtpError(452, '452 4.2.2 Mailbox full'), 'retry'],
    [smtpError(552, '552 4.2.2 Mailbox full'), 'retry'],
    [smtpError(503, '503 5.5.1 Bad sequence of commands', 'EPROTOCOL'), 'retry'],
    [smtpError(535, '535 5.7.8 Authentication failed', 'EAUTH'), 'retry'],
    [smtpError(550, '550 5.1.1 <x@y.test>: Recipient address rejected'), 'fail'],
    [smtpError(554, '554 5.7.1 Relay access denied'), 'fail'],
    [smtpError(552, '552 5.3.4 Message too big', 'EMESSAGE'), 'fail'],
    [netError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:25'), 'retry'],
    [netError('ESOCKET', 'connect ECONNREFUSED 127.0.0.1:25'), 'retry'],
    [netError('ETIMEDOUT', 'Greeting never received'), 'retry'],
    [netError('ECONNECTION', 'Connection closed unexpectedly'), 'retry'],
    [netError('ECONNRESET', 'read ECONNRESET'), 'retry'],
    [netError('ENOENT', "ENOENT: no such file or directory, open '/blobs/ab/abc'"), 'fail'],
    [new PermanentDeliveryError('case 7 no longer exists'), 'fail'],
    [new Error('something odd'), 'retry'],
  ] as const)('%s → %s', (err, verdict) => {
    expect(classifyDeliveryError(err).verdict).toBe(verdict);
  });

  it('records the server answer, on one line', () => {
    const c = classifyDeliveryError(smtpError(550, '550 5.1.1 <x@y.test>:\r\n Recipient address rejected'));
    expect(c).toEqual({ verdict: 'fail', rule: '5xx permanent failure', message: '550 5.1.1 <x@y.test>: Recipient address rejected' });
    expect(classifyDeliveryError(netError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:25')).message).toBe(
      'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:25',
    );
  });

  it('is a table a reader can check: every rule says retry or fail', () => {
    expect(DELIVERY_ANSWERS.length).toBeGreaterThan(4);
    for (const r of DELIVERY_ANSWERS) expect(['retry', 'fail']).toContain(r.verdict);
  });
});
