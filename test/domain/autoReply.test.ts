import { describe, expect, it } from 'vitest';
import { AUTO_REPLY_RULES, detectAutoReply, type AutoReplyInput } from '../../src/domain/autoReply.js';
import { LOOP_HEADER } from '../../src/domain/mailNames.js';

/** A message from a person unless told otherwise. */
function input(headers: Record<string, string> = {}, over: Partial<Omit<AutoReplyInput, 'header'>> = {}): AutoReplyInput {
  const byName = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    header: (name) => byName.get(name.toLowerCase()),
    mailFrom: 'ann@acme.example',
    fromAddress: 'ann@acme.example',
    ...over,
  };
}

describe('mail from a person is not an auto-reply', () => {
  it('returns null for ordinary headers and sender', () => {
    expect(detectAutoReply(input({ Subject: 'Re: [Case 00001001] Printer', 'X-Mailer': 'Microsoft Outlook 16.0' }))).toBeNull();
  });

  it('returns null when the envelope sender is unknown (null), e.g. a file given to ingest without --mail-from', () => {
    expect(detectAutoReply(input({}, { mailFrom: null }))).toBeNull();
  });
});

describe('Auto-Submitted other than "no"', () => {
  it.each(['auto-replied', 'auto-generated', 'auto-notified', 'Auto-Replied; owner-email="ann@acme.example"'])('"%s" is an auto-reply', (value) => {
    expect(detectAutoReply(input({ 'Auto-Submitted': value }))).toBe(`Auto-Submitted: ${value}`);
  });

  it.each(['no', 'No', ' no ', 'no (sent by a person)'])('"%s" is not', (value) => {
    expect(detectAutoReply(input({ 'Auto-Submitted': value }))).toBeNull();
  });
});

describe('Precedence: bulk, junk or list', () => {
  it.each(['bulk', 'junk', 'list', 'Bulk'])('"%s" is machine mail', (value) => {
    expect(detectAutoReply(input({ Precedence: value }))).toBe(`Precedence: ${value}`);
  });

  it('"first-class" is not', () => {
    expect(detectAutoReply(input({ Precedence: 'first-class' }))).toBeNull();
  });
});

describe('X-Autoreply, X-Autorespond and X-Auto-Response-Suppress', () => {
  it.each([
    ['X-Autoreply', 'yes'],
    ['X-Autorespond', 'Out of office'],
    ['X-Auto-Response-Suppress', 'All'],
  ])('%s: %s is an auto-reply', (name, value) => {
    expect(detectAutoReply(input({ [name]: value }))).toBe(`${name}: ${value}`);
  });

  it('an empty value counts too: the header is there', () => {
    expect(detectAutoReply(input({ 'X-Autoreply': '' }))).toBe('X-Autoreply header');
  });
});

describe('a null return path', () => {
  it('MAIL FROM:<> (mailFrom "") is a bounce or auto-reply', () => {
    expect(detectAutoReply(input({}, { mailFrom: '' }))).toBe('null return path (MAIL FROM:<>)');
  });
});

describe('a MAILER-DAEMON or postmaster sender', () => {
  it('matches the local part of the envelope sender, in any case', () => {
    expect(detectAutoReply(input({}, { mailFrom: 'Postmaster@acme.example' }))).toBe(
      'envelope sender Postmaster@acme.example is a mail system, not a person',
    );
  });

  it('matches the From address', () => {
    expect(detectAutoReply(input({}, { fromAddress: 'MAILER-DAEMON@relay.acme-support.example' }))).toBe(
      'From MAILER-DAEMON@relay.acme-support.example is a mail system, not a person',
    );
  });

  it('does not match a person whose name merely contains the word', () => {
    expect(detectAutoReply(input({}, { fromAddress: 'postmaster.jones@acme.example' }))).toBeNull();
  });
});

describe('our own loop header', () => {
  it('a notification of ours that came back is never processed', () => {
    expect(detectAutoReply(input({ [LOOP_HEADER]: 'cases.localhost' }))).toBe(
      `${LOOP_HEADER} header: a notification of ours came back`,
    );
  });
});

describe('the rules are a table', () => {
  it('names every header of SPEC §4 and the envelope rules', () => {
    const headers = AUTO_REPLY_RULES.flatMap((r) => (r.kind === 'header' ? [r.header] : []));
    expect(headers).toEqual(
      expect.arrayContaining([LOOP_HEADER, 'Auto-Submitted', 'Precedence', 'X-Autoreply', 'X-Autorespond', 'X-Auto-Response-Suppress']),
    );
    expect(AUTO_REPLY_RULES.map((r) => r.kind)).toEqual(expect.arrayContaining(['null-return-path', 'system-sender']));
  });

  it('answers with the first matching rule', () => {
    const reason = detectAutoReply(input({ 'Auto-Submitted': 'auto-replied', Precedence: 'bulk' }, { mailFrom: '' }));
    expect(reason).toBe('Auto-Submitted: auto-replied');
  });
});

describe('autoresponders that send few or no auto headers (issue 9)', () => {
  it('Precedence: auto_reply is automatic', () => {
    expect(detectAutoReply(input({ Precedence: 'auto_reply' }))).toBe('Precedence: auto_reply');
  });

  it.each(['X-Autorespond', 'X-Autoreply-From', 'X-Mail-Autoreply'])('%s is automatic', (header) => {
    expect(detectAutoReply(input({ [header]: 'ann@acme.example' }))).toBe(`${header}: ann@acme.example`);
  });

  it.each([
    'Automatic reply: [Case 00001001] Printer on floor 3 is jammed',
    'Auto: [Case 00001001] Printer on floor 3 is jammed',
    'Out of Office: [Case 00001001] Printer on floor 3 is jammed',
    'Out of Office AutoReply: Printer',
    'Out of office',
    'Abwesenheitsnotiz: [Case 00001001] Drucker',
    'Réponse automatique : [Case 00001001] Imprimante',
    'Automatische Antwort: Drucker',
    '自動応答: プリンター',
  ])('subject "%s" is an auto-reply', (subject) => {
    expect(detectAutoReply(input({}, { subject }))).toMatch(/^auto-reply subject "/);
  });

  it.each([
    'Re: [Case 00001001] Printer on floor 3 is jammed',
    'Re: Out of office: who covers floor 3?',
    'Out of office policy for the printer room',
    'Automation of the print queue',
  ])('a person\'s subject "%s" is not', (subject) => {
    expect(detectAutoReply(input({}, { subject }))).toBeNull();
  });
});
