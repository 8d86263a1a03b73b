// The inbound decision as data: facts in, one named stage's decision out (src/ingest/stages.ts).
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/ingest/stages.js';
import type { MessageFacts, RecipientFacts } from '../../src/ingest/facts.js';
import type { CaseRow } from '../../src/db/cases.js';
import type { ContactRow } from '../../src/db/contacts.js';
import type { ParsedMessage } from '../../src/ingest/parse.js';
import type { RoutingRow } from '../../src/db/routing.js';
import type { SenderAuth } from '../../src/domain/senderAuth.js';

const ANN = 'ann@acme.example';

function message(overrides: Partial<ParsedMessage> = {}, autoReply: string | null = null, auth: SenderAuth | null = null): MessageFacts {
  const msg = {
    messageId: '<m1@mail.acme.example>',
    from: { address: ANN, name: 'Ann Archer' },
    subject: 'Re: [Case 00001001] Printer',
    text: 'Still jammed.',
    inReplyTo: [],
    references: [],
    attachments: [],
    dsn: null,
    authorProblem: null,
    size: 100,
    headerSection: 'From: ann@acme.example\r\n',
    header: () => undefined,
    ...overrides,
  } as unknown as ParsedMessage;
  return { msg, envelope: { mailFrom: ANN, rcpt: ['x'] }, body: 'Still jammed.', fullBody: 'Still jammed.', fingerprint: 'f', loopKey: 'k', autoReply, auth };
}

const openCase = { id: 7, number: '00001007', status: 'Working', contactId: 1 } as CaseRow;
const closedCase = { ...openCase, status: 'Closed' } as CaseRow;
const ann = { id: 1, email: ANN, eligible: true } as ContactRow;

function facts(overrides: Partial<RecipientFacts> = {}): RecipientFacts {
  return {
    message: message(),
    rcpt: 'case+abcdefghijklmnopqrstuvwx@cases.test',
    target: { kind: 'case', caseId: 7, issuedTo: null },
    now: 1_000_000,
    loopKeys: ['a.k', '9.k'],
    route: { kind: 'existing', caseId: 7, via: 'address' },
    existing: openCase,
    closedCaseContact: null,
    parties: { contact: ANN, collaborators: [], all: [ANN] },
    senderIsParticipant: true,
    issuedTo: null,
    senderIsIssued: false,
    senderAddress: null,
    duplicate: null,
    recentSame: 0,
    routing: null,
    senderContact: null,
    defaultOwnerId: null,
    closedCaseReply: 'reopen',
    routedTo: null,
    openedLastHour: 0,
    autoResponsesLastHour: 0,
    senderAuth: 'enforce',
    ...overrides,
  };
}

describe('a reply from a participant', () => {
  it('becomes a comment of its case', async () => {
    expect(decide(facts())).toEqual({ stage: 'comment', decision: { kind: 'comment', caseId: 7, reopen: false } });
  });
  it('from anyone else is refused 550 5.7.1 by the participant stage, with exit 77', async () => {
    const { stage, decision } = decide(facts({ senderIsParticipant: false, message: message({ from: { address: 'eve@evil.example', name: '' } }) }));
    expect(stage).toBe('participant');
    expect(decision).toMatchObject({ kind: 'refuse', caseId: 7, answer: { code: 550, enhanced: '5.7.1', sysexit: 77 } });
  });
});

describe('a reply through an address or a Message-ID issued to one participant', () => {
  const issuedTo = { kind: 'contact', address: ANN, live: true } as const;
  it('from that participant becomes a comment', async () => {
    expect(decide(facts({ issuedTo, senderIsIssued: true })).decision).toEqual({ kind: 'comment', caseId: 7, reopen: false });
  });
  it('from another participant is refused 550 5.7.1, naming no case and no address', async () => {
    const d = decide(facts({ issuedTo, senderIsIssued: false, senderIsParticipant: true, message: message({ from: { address: 'carol@partner.example', name: '' } }) }));
    expect(d).toMatchObject({ stage: 'participant', decision: { kind: 'refuse', caseId: 7, answer: { code: 550, enhanced: '5.7.1', sysexit: 77 } } });
    const text = d.decision.kind === 'refuse' ? d.decision.answer.text : '';
    expect(text).not.toMatch(/\d{8}|@/);
  });
  it('without a From address is refused, naming no case', async () => {
    const d = decide(facts({ issuedTo, message: message({ from: null }) }));
    expect(d.decision).toMatchObject({ kind: 'refuse', answer: { enhanced: '5.7.1' } });
    expect(d.decision.kind === 'refuse' && d.decision.answer.text).not.toMatch(/\d{8}/);
  });
});

describe('one author', () => {
  it('several From headers, mailboxes or a group: 550 5.7.1 on a case address and on a routing address, exit 77', async () => {
    const many = message({ authorProblem: 'the message has 2 From headers' });
    expect(decide(facts({ message: many }))).toMatchObject({ stage: 'one author', decision: { kind: 'refuse', caseId: null, answer: { code: 550, enhanced: '5.7.1', sysexit: 77 } } });
    const toRouting = { target: { kind: 'routing', routingId: 2 } as const, route: { kind: 'new', routingId: 2, parentId: null } as const, existing: null };
    expect(decide(facts({ ...toRouting, message: message({ authorProblem: 'the From header holds a group' }) })).stage).toBe('one author');
  });
  it('comes after the report and automatic stages', async () => {
    const auto = message({ authorProblem: 'the From header holds 2 mailboxes' }, 'Auto-Submitted: auto-replied');
    expect(decide(facts({ message: auto })).stage).toBe('automatic');
    const token = 't'.repeat(24);
    expect(decide(facts({ target: { kind: 'bounce', token }, message: message({ authorProblem: 'the message has 2 From headers' }) })).stage).toBe('report');
  });
});

describe('stage order', () => {
  it('a duplicate is answered before the loop rule and the participant check', async () => {
    const d = decide(facts({ duplicate: { id: 3, caseId: 7 }, recentSame: 99, senderIsParticipant: false }));
    expect(d.stage).toBe('duplicate');
    expect(d.decision).toMatchObject({ kind: 'duplicate', caseId: 7, answer: { code: 250 } });
  });
  it('automatic mail is dropped before anything is routed', async () => {
    const d = decide(facts({ message: message({}, 'Auto-Submitted: auto-replied'), route: null, existing: null }));
    expect(d).toMatchObject({ stage: 'automatic', decision: { kind: 'ignore', answer: { code: 250 } } });
  });
  it('the 16th alike message in a minute is a loop', async () => {
    expect(decide(facts({ recentSame: 15 }))).toMatchObject({ stage: 'loop', decision: { kind: 'refuse', answer: { code: 550 } } });
    expect(decide(facts({ recentSame: 14 })).stage).toBe('comment');
  });
});

describe('closed cases follow CASEGATE_CLOSED_CASE_REPLY', () => {
  it('reopen (default): the comment reopens the case', async () => {
    expect(decide(facts({ existing: closedCase })).decision).toEqual({ kind: 'comment', caseId: 7, reopen: true });
  });
  it('refuse: 550 5.7.1', async () => {
    expect(decide(facts({ existing: closedCase, closedCaseReply: 'refuse' }))).toMatchObject({ stage: 'closed case', decision: { kind: 'refuse', answer: { code: 550 } } });
  });
  it('child: a follow-up case whose parent is the closed one, unless its contact is not eligible', async () => {
    expect(decide(facts({ existing: closedCase, closedCaseReply: 'child', closedCaseContact: ann })).decision).toEqual({ kind: 'open', routingId: null, parentId: 7 });
    const blocked = decide(facts({ existing: closedCase, closedCaseReply: 'child', closedCaseContact: { ...ann, eligible: false } }));
    expect(blocked.decision).toMatchObject({ kind: 'refuse', answer: { code: 550, enhanced: '5.7.1' } });
  });
});

describe('new mail to a routing address', () => {
  const toRouting = { target: { kind: 'routing', routingId: 2 } as const, route: { kind: 'new', routingId: 2, parentId: null } as const, existing: null, senderIsParticipant: false };
  it('opens a case', async () => {
    expect(decide(facts(toRouting))).toEqual({ stage: 'new case', decision: { kind: 'open', routingId: 2, parentId: null } });
  });
  it('opens a case also when the default owner names no user: a setting never refuses mail', async () => {
    expect(decide(facts({ ...toRouting, defaultOwnerId: null })).decision.kind).toBe('open');
  });
  it('without a From address is refused 550 5.1.7', async () => {
    expect(decide(facts({ ...toRouting, message: message({ from: null }) })).decision).toMatchObject({ kind: 'refuse', answer: { code: 550, enhanced: '5.1.7' } });
  });
  it('from a contact not eligible for support is refused 550 5.7.1', async () => {
    expect(decide(facts({ ...toRouting, senderContact: { ...ann, eligible: false } })).decision).toMatchObject({ kind: 'refuse', answer: { enhanced: '5.7.1' } });
  });
});

/** A routing address (SPEC §7) with no sender rules, no limit and no auto-response, unless overridden. */
function routingRow(overrides: Partial<RoutingRow> = {}): RoutingRow {
  return {
    id: 2,
    address: 'support@acme-support.example',
    addressLower: 'support@acme-support.example',
    priority: 'Medium',
    origin: 'Email',
    ownerId: null,
    createContacts: false,
    notify: true,
    recordTypeId: null,
    createdAt: 0,
    acceptFrom: '',
    block: '',
    rateLimit: 0,
    saveHeaders: false,
    autoResponse: null,
    autoResponseIf: null,
    ...overrides,
  };
}

describe('sender rules of the routing address (SPEC §7)', () => {
  const to = (r: RoutingRow, more: Partial<RecipientFacts> = {}) =>
    facts({ target: { kind: 'routing', routingId: 2 }, route: { kind: 'new', routingId: 2, parentId: null }, existing: null, senderIsParticipant: false, routing: r, routedTo: r, ...more });
  it('a sender not on a non-empty accept-from list is refused 550 5.7.1 (exit 77), naming no case or person', async () => {
    const d = decide(to(routingRow({ acceptFrom: 'bob@acme.example,@partner.example' })));
    expect(d).toMatchObject({ stage: 'sender rules', decision: { kind: 'refuse', caseId: null, answer: { code: 550, enhanced: '5.7.1', sysexit: 77 } } });
    expect((d.decision as { answer: { text: string } }).answer.text).not.toMatch(/@|\d{8}/);
  });
  it('an address or @domain on the accept-from list passes, in any letter case', async () => {
    expect(decide(to(routingRow({ acceptFrom: 'ann@acme.example' }))).stage).toBe('new case');
    expect(decide(to(routingRow({ acceptFrom: '@acme.example' }), { message: message({ from: { address: 'Ann@ACME.example', name: '' } }) })).stage).toBe('new case');
    expect(decide(to(routingRow({ acceptFrom: '@example' }))).stage).toBe('sender rules');
  });
  it('a blocked sender is refused 550 5.7.1, also when the accept-from list names it', async () => {
    const d = decide(to(routingRow({ block: '@acme.example', acceptFrom: 'ann@acme.example' })));
    expect(d).toMatchObject({ stage: 'sender rules', decision: { kind: 'refuse', answer: { code: 550, enhanced: '5.7.1', sysexit: 77 } } });
  });
  it('apply to a reply threaded through the routing address, not to mail to a case address', async () => {
    const r = routingRow({ block: ANN });
    const threaded = facts({ target: { kind: 'routing', routingId: 2 }, route: { kind: 'existing', caseId: 7, via: 'thread' }, routedTo: r });
    expect(decide(threaded).stage).toBe('sender rules');
    expect(decide(facts({ routedTo: null })).stage).toBe('comment');
  });
  it('come after the duplicate stage: a copy stored before the sender was blocked is answered 250', async () => {
    expect(decide(to(routingRow({ block: ANN }), { duplicate: { id: 3, caseId: 9 } })).stage).toBe('duplicate');
  });
});

describe('rate limit of the routing address (SPEC §7)', () => {
  const to = (r: RoutingRow, more: Partial<RecipientFacts> = {}) =>
    facts({ target: { kind: 'routing', routingId: 2 }, route: { kind: 'new', routingId: 2, parentId: null }, existing: null, senderIsParticipant: false, routing: r, routedTo: r, ...more });
  it('N new cases in the hour: the next is answered 451 4.7.1 (exit 75), nothing kept', async () => {
    expect(decide(to(routingRow({ rateLimit: 2 }), { openedLastHour: 1 })).stage).toBe('new case');
    expect(decide(to(routingRow({ rateLimit: 2 }), { openedLastHour: 2 }))).toMatchObject({
      stage: 'rate limit',
      decision: { kind: 'refuse', answer: { code: 451, enhanced: '4.7.1', sysexit: 75 } },
    });
  });
  it('0 is no limit, and a reply to an existing case is never limited', async () => {
    expect(decide(to(routingRow({ rateLimit: 0 }), { openedLastHour: 500 })).stage).toBe('new case');
    const reply = facts({ target: { kind: 'routing', routingId: 2 }, route: { kind: 'existing', caseId: 7, via: 'thread' }, routedTo: routingRow({ rateLimit: 1 }), openedLastHour: 9 });
    expect(decide(reply).stage).toBe('comment');
  });
});

describe('auto-response of the routing address (SPEC §7)', () => {
  const to = (r: RoutingRow, more: Partial<RecipientFacts> = {}) =>
    facts({ target: { kind: 'routing', routingId: 2 }, route: { kind: 'new', routingId: 2, parentId: null }, existing: null, senderIsParticipant: false, routing: r, routedTo: r, ...more });
  const template = 'Case {{case.number}}';
  it('a new case is opened with the auto-response when the routing address has one', async () => {
    expect(decide(to(routingRow({ autoResponse: template })))).toEqual({ stage: 'new case', decision: { kind: 'open', routingId: 2, parentId: null, autoResponse: true } });
  });
  it('only when the --auto-response-if text is in the subject or body, letter case ignored', async () => {
    expect(decide(to(routingRow({ autoResponse: template, autoResponseIf: 'PRINTER' }))).decision).toMatchObject({ autoResponse: true });
    expect(decide(to(routingRow({ autoResponse: template, autoResponseIf: 'JAMMED' }))).decision).toMatchObject({ autoResponse: true });
    expect(decide(to(routingRow({ autoResponse: template, autoResponseIf: 'invoice' }))).decision).not.toHaveProperty('autoResponse');
  });
  it('at most one per sender per hour', async () => {
    expect(decide(to(routingRow({ autoResponse: template }), { autoResponsesLastHour: 1 })).decision).toEqual({ kind: 'open', routingId: 2, parentId: null });
  });
});

describe('sender authentication (SPEC §4 Sender trust)', () => {
  const failing = (policy: string) => message({}, null, { dmarc: 'fail', spf: 'fail', dkim: 'none', policy, source: 'lookup' });
  it('enforce refuses a DMARC failure of a domain with p=reject or p=quarantine, 550 5.7.1, exit 77, before duplicates and routing', async () => {
    for (const policy of ['reject', 'quarantine']) {
      const d = decide(facts({ message: failing(policy), duplicate: { id: 3, caseId: 7 }, route: null }));
      expect(d).toMatchObject({ stage: 'sender auth', decision: { kind: 'refuse', answer: { code: 550, enhanced: '5.7.1', sysexit: 77 } } });
    }
  });
  it('takes a failure of p=none, a pass, no result and no lookup', async () => {
    expect(decide(facts({ message: failing('none') })).stage).toBe('comment');
    expect(decide(facts({ message: message({}, null, { dmarc: 'temperror', spf: 'temperror', dkim: 'temperror', source: 'lookup' }) })).stage).toBe('comment');
    expect(decide(facts({ message: message({}, null, null) })).stage).toBe('comment');
  });
  it('record and off never refuse', async () => {
    expect(decide(facts({ message: failing('reject'), senderAuth: 'record' })).stage).toBe('comment');
    expect(decide(facts({ message: failing('reject'), senderAuth: 'off' })).stage).toBe('comment');
  });
  it('a report is still a report, and automatic mail still dropped', async () => {
    expect(decide(facts({ message: failing('reject'), target: { kind: 'bounce', token: 't'.repeat(24) }, route: null })).stage).toBe('report');
    expect(decide(facts({ message: { ...failing('reject'), autoReply: 'Auto-Submitted: auto-replied' } })).stage).toBe('automatic');
  });
  it('a new case beside a tagged one keeps the tagged case as parent', async () => {
    const d = decide(facts({ target: { kind: 'routing', routingId: 2 }, route: { kind: 'new', routingId: 2, parentId: 7 }, existing: null }));
    expect(d).toEqual({ stage: 'new case', decision: { kind: 'open', routingId: 2, parentId: 7 } });
  });
});

describe('mail to the system From address', () => {
  it('without one of our Message-IDs is refused with a hint, never dropped silently', async () => {
    const d = decide(facts({ target: { kind: 'system' }, rcpt: 'support@cases.test', route: null, existing: null }));
    expect(d).toMatchObject({ stage: 'route', decision: { kind: 'refuse', answer: { code: 550, enhanced: '5.7.1' } } });
    expect(d.decision.kind === 'refuse' && d.decision.answer.text).toMatch(/support address/);
  });
});

describe('reports: only from the null sender to a bounce address', () => {
  const token = 't'.repeat(24);
  /** The message as an MTA sends a report: from the null sender `<>`. */
  const report = (overrides: Partial<ParsedMessage> = {}): MessageFacts => ({ ...message(overrides), envelope: { mailFrom: '', rcpt: ['x'] } });
  const failed = {
    originalMessageId: '<t@cases.test>',
    recipients: [
      { recipient: 'b@x.test', action: 'delayed', status: '4.4.1', diagnostic: null },
      { recipient: 'a@x.test', action: 'failed', status: '5.1.1', diagnostic: null },
    ],
  };

  it('a failed recipient block is a permanent failure, even next to a delayed one', async () => {
    const d = decide(facts({ target: { kind: 'bounce', token }, message: report({ dsn: failed }), route: null, existing: null }));
    expect(d).toEqual({
      stage: 'report',
      decision: { kind: 'report', token, verdict: { kind: 'permanent', recipient: 'a@x.test', status: '5.1.1', diagnostic: null, rule: 'Action: failed' } },
    });
  });

  it('a delayed recipient block alone is a delay', async () => {
    const dsn = { originalMessageId: null, recipients: [{ recipient: 'b@x.test', action: 'delayed', status: '4.4.1', diagnostic: null }] };
    const d = decide(facts({ target: { kind: 'bounce', token }, message: report({ dsn }), route: null, existing: null }));
    expect(d).toMatchObject({ stage: 'report', decision: { kind: 'report', verdict: { kind: 'delay', recipient: 'b@x.test' } } });
  });

  it('mail to a bounce address that reads like no bounce is a report of kind none', async () => {
    const d = decide(facts({ target: { kind: 'bounce', token }, message: report(), route: null, existing: null }));
    expect(d).toMatchObject({ stage: 'report', decision: { kind: 'report', token, verdict: { kind: 'none' } } });
  });

  it('from any other sender (or an unknown one) to a bounce address: dropped as no bounce, never applied', async () => {
    for (const mailFrom of ['mailer-daemon@relay.example', ANN, null]) {
      const m = { ...message({ dsn: failed }), envelope: { mailFrom, rcpt: ['x'] } };
      const d = decide(facts({ target: { kind: 'bounce', token }, message: m, route: null, existing: null }));
      expect(d).toMatchObject({ stage: 'report', decision: { kind: 'ignore', answer: { code: 250 } } });
      expect(d.decision.kind === 'ignore' && d.decision.answer.text).toMatch(/not a bounce \(not from the null sender\)/);
    }
  });

  it('a delivery report to a case or routing address is no report: it goes through the other stages', async () => {
    expect(decide(facts({ message: report({ dsn: failed }) })).stage).toBe('comment');
    const toRouting = { target: { kind: 'routing', routingId: 2 } as const, route: { kind: 'new', routingId: 2, parentId: null } as const, existing: null };
    expect(decide(facts({ ...toRouting, message: report({ dsn: failed }) })).stage).toBe('new case');
  });
});
