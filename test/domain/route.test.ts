// SPEC §4 "Which case" and the loop rule, as pure rules.
import { describe, expect, it } from 'vitest';
import { decideRoute } from '../../src/domain/route.js';
import { isLoop, LOOP_LIMIT, loopKeysAt } from '../../src/domain/loop.js';

describe('which case: case address, then a notification of ours, then thread root or subject tag, then a new case', () => {
  it('takes the case address whatever else the message says', () => {
    expect(decideRoute({ target: { kind: 'case', caseId: 7, issuedTo: null }, threadCaseId: 3, rootCaseId: null, taggedCaseId: 4, senderAuthenticated: true })).toEqual({ kind: 'existing', caseId: 7, via: 'address' });
  });
  it('on a routing address, prefers the thread over the subject tag', () => {
    expect(decideRoute({ target: { kind: 'routing', routingId: 1 }, threadCaseId: 3, rootCaseId: null, taggedCaseId: 4, senderAuthenticated: true })).toEqual({ kind: 'existing', caseId: 3, via: 'thread' });
    expect(decideRoute({ target: { kind: 'routing', routingId: 1 }, threadCaseId: null, rootCaseId: null, taggedCaseId: 4, senderAuthenticated: true })).toEqual({ kind: 'existing', caseId: 4, via: 'subject' });
  });
  it('follows the subject tag only for an authenticated sender; otherwise a new case whose parent is the tagged one', () => {
    expect(decideRoute({ target: { kind: 'routing', routingId: 1 }, threadCaseId: null, rootCaseId: null, taggedCaseId: 4, senderAuthenticated: false })).toEqual({ kind: 'new', routingId: 1, parentId: 4 });
  });
  it('opens a new case on a routing address when nothing names one', () => {
    expect(decideRoute({ target: { kind: 'routing', routingId: 2 }, threadCaseId: null, rootCaseId: null, taggedCaseId: null, senderAuthenticated: true })).toEqual({ kind: 'new', routingId: 2, parentId: null });
  });
  it('routes nothing for a bounce address', () => {
    expect(decideRoute({ target: { kind: 'bounce', token: 'x'.repeat(24) }, threadCaseId: null, rootCaseId: null, taggedCaseId: null, senderAuthenticated: true })).toBeNull();
  });
});

describe('the thread root (in every notification of the case) counts like the subject tag', () => {
  const routing = { kind: 'routing', routingId: 1 } as const;
  it('for an authenticated participant it names the case, before any tag', () => {
    expect(decideRoute({ target: routing, threadCaseId: null, rootCaseId: 3, taggedCaseId: 4, senderAuthenticated: true })).toEqual({ kind: 'existing', caseId: 3, via: 'root' });
  });
  it('without authentication, a new case whose parent is that case', () => {
    expect(decideRoute({ target: routing, threadCaseId: null, rootCaseId: 3, taggedCaseId: null, senderAuthenticated: false })).toEqual({ kind: 'new', routingId: 1, parentId: 3 });
  });
  it('a notification issued to one recipient wins over the root', () => {
    expect(decideRoute({ target: routing, threadCaseId: 5, rootCaseId: 3, taggedCaseId: null, senderAuthenticated: false })).toEqual({ kind: 'existing', caseId: 5, via: 'thread' });
  });
  it('on the system From address: the case for an authenticated participant, else nowhere', () => {
    const system = { kind: 'system' } as const;
    expect(decideRoute({ target: system, threadCaseId: null, rootCaseId: 3, taggedCaseId: null, senderAuthenticated: true })).toEqual({ kind: 'existing', caseId: 3, via: 'root' });
    expect(decideRoute({ target: system, threadCaseId: null, rootCaseId: 3, taggedCaseId: null, senderAuthenticated: false })).toBeNull();
  });
});

describe('loop rule: more than 15 alike messages in 60 seconds', () => {
  it('lets the 15th through and refuses the 16th', () => {
    expect(isLoop(LOOP_LIMIT - 1)).toBe(false);
    expect(isLoop(LOOP_LIMIT)).toBe(true);
  });
  it('searches this minute and the one before, so a 60-second window is always covered', () => {
    const [now, before] = loopKeysAt('abc', 120_000);
    expect(now).toBe(`${(2).toString(36)}.abc`);
    expect(before).toBe(`${(1).toString(36)}.abc`);
  });
});

describe('mail to the system From address', () => {
  it('goes only where one of our Message-IDs leads', () => {
    expect(decideRoute({ target: { kind: 'system' }, threadCaseId: 5, rootCaseId: null, taggedCaseId: 6, senderAuthenticated: true })).toEqual({ kind: 'existing', caseId: 5, via: 'thread' });
    expect(decideRoute({ target: { kind: 'system' }, threadCaseId: null, rootCaseId: null, taggedCaseId: 6, senderAuthenticated: true })).toBeNull();
  });
});
