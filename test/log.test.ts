// The log of serve and dispatch (src/log.ts): text lines, or JSON lines in which the value of a
// field with a secret's name never appears, at the top or one level down.
import { describe, expect, it } from 'vitest';
import { createLog, maskSecrets } from '../src/log.js';

function jsonLines(write: (log: ReturnType<typeof createLog>) => void): Array<Record<string, unknown>> {
  const lines: string[] = [];
  write(createLog('json', { write: (l: string) => lines.push(l) }));
  return lines.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('the JSON log', () => {
  it('writes the sentence, the level and the fields as they are when none has a secret name', () => {
    const [line] = jsonLines((log) => log.info('smtp s1 from 127.0.0.1: 250', { event: 'smtp', rcpt: ['case+abc@cases.example'], code: 250, mailbox: { url: 'imaps://imap.example' } }));
    expect(line).toMatchObject({ level: 'info', msg: 'smtp s1 from 127.0.0.1: 250', event: 'smtp', rcpt: ['case+abc@cases.example'], code: 250, mailbox: { url: 'imaps://imap.example' } });
    expect(typeof line?.time).toBe('string');
  });

  it('masks a secret name at the top and one level down, and leaves the caller its object', () => {
    const relay = { url: 'smtp://relay.example', password: 'hunter2-relay' };
    const fields = { event: 'x', token: 'tok-4711', relay, deeper: { inner: { password: 'two-down' } } };
    const [line] = jsonLines((log) => log.warn('relay refused', fields));
    const text = JSON.stringify(line);
    for (const secret of ['tok-4711', 'hunter2-relay']) expect(text).not.toContain(secret);
    expect(line).toMatchObject({ level: 'warn', token: '***', relay: { url: 'smtp://relay.example', password: '***' } });
    // Two levels down is past the rule (as pino's `*.name` paths were): callers never pass secrets there.
    expect(line?.deeper).toEqual({ inner: { password: 'two-down' } });
    expect(relay.password).toBe('hunter2-relay');
    expect(fields.token).toBe('tok-4711');
  });

  it('masks the names of a message body and its text', () => {
    const [line] = jsonLines((log) => log.error('could not store', { body: 'The door code is 4711', text: 'x', html: '<p>x</p>', authorization: 'Bearer k', cookie: 'c', apiKey: 'a', pass: 'p' }));
    expect(line).toMatchObject({ body: '***', text: '***', html: '***', authorization: '***', cookie: '***', apiKey: '***', pass: '***' });
  });
});

describe('maskSecrets', () => {
  it('gives back the same object when there is nothing to mask (no copy per log line)', () => {
    const fields = { event: 'smtp', rcpt: ['a@b.example'], answer: '250 2.0.0 Ok', nested: { code: 250 } };
    expect(maskSecrets(fields)).toBe(fields);
  });

  it('copies only what it masks', () => {
    const nested = { code: 250 };
    const fields = { nested, relay: { password: 'p' } };
    const out = maskSecrets(fields);
    expect(out).not.toBe(fields);
    expect(out.nested).toBe(nested);
    expect(out.relay).toEqual({ password: '***' });
  });
});
