// Tracing a customer's mail with the real binary: `inbound list --from --to --message-id --case
// --since`, `outbox list --case --recipient --since`, and `casegate trace MESSAGE-ID|CASE`.
import { describe, expect, it } from 'vitest';
import { templateDb, useTestDb, okJson as ok, refusedJson as refused, ISO_TIME } from '../helpers/cli.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const HELP = 'help@cases.localhost';
const mail = (from: string, id: string, subject: string, extra = ''): string =>
  `From: ${from}\r\nTo: ${HELP}\r\nSubject: ${subject}\r\nMessage-ID: <${id}>\r\nDate: Sun, 6 Dec 2026 09:00:00 +0000\r\n${extra}\r\n${subject}, please help.\r\n`;

/**
 * Routing address help@ (owner ana@, contacts created). Carol opens 00001001 (<carol-1@customer.example>),
 * Dave opens 00001002, an auto-reply from Dave is ignored; the dispatcher writes the first notifications;
 * then ana@ comments on 00001001 (its notification to Carol stays pending) and escalates it.
 */
const seed = templateDb(async (t) => {
  await ok(t, 'user', 'create', '--email', 'ana@support.example', '--name', 'Ana Agent');
  await ok(t, 'routing', 'add', HELP, '--owner', 'ana@support.example', '--create-contacts');
  for (const [from, id, subject, extra] of [
    ['Carol <carol@customer.example>', 'carol-1@customer.example', 'Printer jammed', ''],
    ['dave@other.example', 'dave-1@other.example', 'VPN down', ''],
    ['dave@other.example', 'dave-2@other.example', 'Out of office', 'Auto-Submitted: auto-replied\r\n'],
  ]) {
    const r = await t.runWith(['ingest', '--rcpt', HELP, '--mail-from', (from as string).replace(/.*</, '').replace('>', '')], { input: mail(from as string, id as string, subject as string, extra) });
    expect(r.code, r.stderr).toBe(0);
  }
  expect((await t.run('dispatch', '--once')).code).toBe(0);
  await ok(t, 'comment', 'add', '00001001', '--as', 'ana@support.example', '--body', 'We are sending a technician.');
  await ok(t, 'case', 'update', '00001001', '--status', 'Escalated', '--as', 'ana@support.example');
});

describe('inbound list and outbox list filters', () => {
  const t = useTestDb();

  it('inbound list finds mail by sender, recipient, Message-ID (brackets optional), case and time', async () => {
    await seed(t());
    const ids = (rows: Json[]): string[] => rows.map((r) => r.messageId);
    expect(ids(await ok(t(), 'inbound', 'list', '--from', 'DAVE@other.example'))).toEqual(['<dave-2@other.example>', '<dave-1@other.example>']);
    expect(await ok(t(), 'inbound', 'list', '--message-id', 'carol-1@customer.example', '--to', HELP, '--since', '1h')).toEqual([
      expect.objectContaining({ messageId: '<carol-1@customer.example>', from: 'carol@customer.example', decision: 'accepted', case: '00001001' }),
    ]);
    expect(ids(await ok(t(), 'inbound', 'list', '--case', '00001002'))).toEqual(['<dave-1@other.example>']);
    expect(await ok(t(), 'inbound', 'list', '--since', '2099-01-01')).toEqual([]);
    await refused(t(), ['inbound', 'list', '--since', 'yesterday'], /--since "yesterday" is not a time; give a date such as 2026-12-01, a time such as 2026-12-01T09:30Z, or a duration such as 90m, 2h, 7d or 2w/);
  });

  it('outbox list finds notifications by case, recipient and time', async () => {
    await seed(t());
    const rows: Json[] = await ok(t(), 'outbox', 'list', '--case', '00001001', '--recipient', 'Carol@customer.example', '--since', '2d');
    expect(rows.map((r) => [r.kind, r.status])).toEqual([['case-created', 'sent'], ['comment', 'pending']]);
    expect(await ok(t(), 'outbox', 'list', '--case', '00001002', '--recipient', 'carol@customer.example')).toEqual([]);
  });
});

describe('casegate trace', () => {
  const t = useTestDb();

  it('follows a received message: received, decision, comment, each notification and its delivery; in text too', async () => {
    await seed(t());
    const r: Json = await ok(t(), 'trace', 'carol-1@customer.example');
    expect(r).toMatchObject({ query: '<carol-1@customer.example>', kind: 'message' });
    expect(r.steps.map((s: Json) => `${s.step} ${s.text}`.replace(/<\w+@cases\.localhost>/, '<ID>').replace(/\S+\.eml$/, 'F.eml'))).toEqual([
      'received <carol-1@customer.example> from carol@customer.example to help@cases.localhost, 199 bytes, subject "Printer jammed"',
      'accepted 250 2.6.0 opened case 00001001',
      'comment comment 1 on case 00001001',
      'queued case-created to carol@customer.example, <ID>',
      'sent 1 attempt: 250 written to F.eml',
      'queued owner to ana@support.example, <ID>',
      'sent 1 attempt: 250 written to F.eml',
    ]);
    expect(r.steps.every((s: Json) => ISO_TIME.test(s.at) && s.case === '00001001')).toBe(true);
    // A notification of ours is traced by its own Message-ID.
    const queued = r.steps.find((s: Json) => s.step === 'queued');
    const text = await t().run('trace', queued.text.replace(/.*, /, ''));
    expect(text.stdout).toMatch(/^\S+Z {2}queued {5}case-created to carol@customer\.example, <\w+@cases\.localhost>\n\S+Z {2}sent {7}1 attempt: 250 written to \w+\.eml\n$/);
  });

  it('follows a case: its mail, notifications, changes and comments in time order', async () => {
    await seed(t());
    const r: Json = await ok(t(), 'trace', '00001001');
    expect(r.kind).toBe('case');
    expect(r.steps.map((s: Json) => s.step)).toEqual(['opened', 'received', 'accepted', 'comment', 'queued', 'sent', 'queued', 'sent', 'comment', 'queued', 'pending', 'changed']);
    expect(r.steps.at(-1).text).toBe('status New -> Escalated by ana@support.example');
    expect(r.steps.at(-3).text).toMatch(/^comment to carol@customer\.example/);
    await refused(t(), ['trace', 'nobody@nowhere.example'], /no message <nobody@nowhere\.example> in the inbound log or the outbox; check the id/);
  });
});
