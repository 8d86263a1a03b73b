// `casegate routing add|update|list` with the SPEC §7 settings, through the real binary, and their
// effect in pipe mode (`casegate ingest`: exit 77 for a refused sender, 75 over the rate limit) and
// in `inbound show` (saved headers).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ISO_TIME, useTestDb, type TestDb } from '../helpers/cli.js';
import { mail } from '../helpers/smtp.js';

const SUPPORT = 'support@acme-support.example';
const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/new-case-request.eml');
const TEMPLATE = 'Hello {{contact.firstName}},\nyour case is {{case.number}} ({{case.subject}}).\nReply to {{replyAddress}}.\n';

function file(t: TestDb, name: string, text: string): string {
  const p = path.join(t.dir, name);
  fs.writeFileSync(p, text);
  return p;
}

describe('casegate routing add with the SPEC §7 settings', () => {
  const t = useTestDb();

  it('takes every setting and prints them all with --json', async () => {
    const ack = file(t(), 'ack.txt', TEMPLATE);
    const r = await t().run('routing', 'add', SUPPORT, '--accept-from', 'Bob@Acme.example, @partner.example', '--block', '@evil.example',
      '--rate-limit', '5', '--save-headers', '--auto-response', ack, '--auto-response-if', 'urgent', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual({
      id: 1,
      address: SUPPORT,
      priority: 'Medium',
      origin: 'Email',
      owner: null,
      createContacts: false,
      notify: true,
      recordType: null,
      acceptFrom: ['bob@acme.example', '@partner.example'],
      block: ['@evil.example'],
      rateLimit: 5,
      saveHeaders: true,
      autoResponse: TEMPLATE,
      autoResponseIf: 'urgent',
      createdAt: expect.stringMatching(ISO_TIME),
    });
    const table = await t().run('routing', 'list');
    expect(table.stdout).toMatch(/ACCEPTFROM\s+BLOCK\s+RATELIMIT\s+SAVEHEADERS\s+AUTORESPONSE/);
    expect(table.stdout).toMatch(/bob@acme\.example,@partner\.example\s+@evil\.example\s+5\s+yes\s+if "urgent"/);
  });

  it('defaults: anyone, nobody blocked, no limit, no headers, no auto-response', async () => {
    const r = await t().run('routing', 'add', SUPPORT, '--json');
    expect(r.json()).toMatchObject({ acceptFrom: [], block: [], rateLimit: 0, saveHeaders: false, autoResponse: null, autoResponseIf: null });
  });

  it('refuses bad values with what to give instead, and writes nothing', async () => {
    const unknown = file(t(), 'unknown.txt', 'Dear {{contact.lastName}}, see {{case.owner}}');
    const empty = file(t(), 'empty.txt', '  \n');
    await t().refused(['routing', 'add', SUPPORT, '--accept-from', 'bob, @partner.example'], /--accept-from: "bob" is not an address or @domain; give comma-separated addresses and @domains/);
    await t().refused(['routing', 'add', SUPPORT, '--block', '@'], /--block: "@" is not an address or @domain/);
    for (const n of ['two', '-1', '1.5', '']) {
      await t().refused(['routing', 'add', SUPPORT, '--rate-limit', n], /--rate-limit ".*" is not a whole number of new cases per sender per hour; give one from 0 \(no limit\)/);
    }
    await t().refused(['routing', 'add', SUPPORT, '--auto-response', path.join(t().dir, 'missing.txt')], /cannot read the auto-response template .*missing\.txt: ENOENT.*; give a readable text file/);
    await t().refused(['routing', 'add', SUPPORT, '--auto-response', unknown], /uses \{\{contact\.lastName\}\}, \{\{case\.owner\}\}, which casegate does not know; use only \{\{case\.number\}\}/);
    await t().refused(['routing', 'add', SUPPORT, '--auto-response', empty], /the auto-response template is empty/);
    await t().refused(['routing', 'add', SUPPORT, '--auto-response-if', 'urgent'], /--auto-response-if needs an auto-response; give --auto-response FILE too/);
  });
});

describe('casegate routing update', () => {
  const t = useTestDb();

  it('changes only the settings given', async () => {
    await t().run('user', 'create', '--email', 'ann@support.example.com', '--name', 'Ann Archer');
    const ack = file(t(), 'ack.txt', TEMPLATE);
    const added = (
      await t().run('routing', 'add', SUPPORT, '--priority', 'high', '--owner', 'ann@support.example.com', '--create-contacts', '--no-notify',
        '--block', 'eve@evil.example', '--auto-response', ack, '--json')
    ).json();
    const r = await t().run('routing', 'update', 'SUPPORT@acme-support.example', '--accept-from', '@acme.example', '--rate-limit', '3', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual({ ...added, acceptFrom: ['@acme.example'], rateLimit: 3 });

    const again = (await t().run('routing', 'update', SUPPORT, '--priority', 'low', '--notify', '--no-create-contacts', '--save-headers', '--json')).json();
    expect(again).toEqual({ ...added, acceptFrom: ['@acme.example'], rateLimit: 3, priority: 'Low', notify: true, createContacts: false, saveHeaders: true });
    expect((await t().run('routing', 'list', '--json')).json()).toEqual([again]);
  });

  it("clears settings: --accept-from '', --block '', --rate-limit 0, --owner '', --no-save-headers, --no-auto-response", async () => {
    await t().run('user', 'create', '--email', 'ann@support.example.com', '--name', 'Ann Archer');
    const ack = file(t(), 'ack.txt', TEMPLATE);
    await t().run('routing', 'add', SUPPORT, '--owner', 'ann@support.example.com', '--accept-from', '@acme.example', '--block', 'eve@evil.example',
      '--rate-limit', '4', '--save-headers', '--auto-response', ack, '--auto-response-if', 'urgent');
    const r = await t().run('routing', 'update', SUPPORT, '--accept-from', '', '--block', '', '--rate-limit', '0', '--owner', '',
      '--no-save-headers', '--no-auto-response', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ owner: null, acceptFrom: [], block: [], rateLimit: 0, saveHeaders: false, autoResponse: null, autoResponseIf: null });
  });

  it("sets and clears the auto-response condition alone; --auto-response-if '' means always", async () => {
    const ack = file(t(), 'ack.txt', TEMPLATE);
    await t().run('routing', 'add', SUPPORT, '--auto-response', ack);
    expect((await t().run('routing', 'update', SUPPORT, '--auto-response-if', 'Invoice', '--json')).json()).toMatchObject({ autoResponse: TEMPLATE, autoResponseIf: 'Invoice' });
    expect((await t().run('routing', 'update', SUPPORT, '--auto-response-if', '', '--json')).json()).toMatchObject({ autoResponse: TEMPLATE, autoResponseIf: null });
  });

  it('refuses an address that is not a routing address, with the commands to list or add one', async () => {
    await t().refused(['routing', 'update', 'help@acme-support.example', '--rate-limit', '3'],
      /help@acme-support\.example is not a routing address; list them with "casegate routing list", or add it with "casegate routing add help@acme-support\.example"/);
  });

  it('changes nothing when one of the settings given is bad', async () => {
    await t().run('routing', 'add', SUPPORT);
    await t().refused(['routing', 'update', SUPPORT], /nothing to change for support@acme-support\.example; give at least one setting/);
    const unknown = file(t(), 'unknown.txt', 'Hi {{contact.name}}');
    await t().refused(['routing', 'update', SUPPORT, '--rate-limit', '3', '--block', 'not an address'], /--block: "not an address" is not an address or @domain/);
    await t().refused(['routing', 'update', SUPPORT, '--accept-from', '@acme.example', '--rate-limit', 'many'], /--rate-limit "many" is not a whole number/);
    await t().refused(['routing', 'update', SUPPORT, '--save-headers', '--auto-response', unknown], /\{\{contact\.name\}\}, which casegate does not know/);
    await t().refused(['routing', 'update', SUPPORT, '--auto-response-if', 'urgent'], /--auto-response-if needs an auto-response/);
    await t().refused(['routing', 'update', SUPPORT, '--priority', 'urgent'], /priority "urgent" is not one of High, Medium, Low/);
  });
});

describe('the settings in pipe mode', () => {
  const t = useTestDb();
  const ingest = (from: string, input: string | Buffer) => t().runWith(['ingest', '--rcpt', SUPPORT, '--mail-from', from], { input });

  it('a blocked sender exits 77 (refused sender) and no case is opened', async () => {
    await t().run('routing', 'add', SUPPORT, '--block', '@acme.example');
    const r = await ingest('ann@acme.example', fs.readFileSync(FIXTURE));
    expect(r.code).toBe(77);
    expect(r.stdout).toMatch(/550 5\.7\.1 mail from your address is not accepted at this support address/);
    expect((await t().run('case', 'list', '--json')).json()).toEqual([]);
  });

  it('a sender not on the accept-from list exits 77', async () => {
    await t().run('routing', 'add', SUPPORT, '--accept-from', 'bob@acme.example');
    const r = await ingest('ann@acme.example', fs.readFileSync(FIXTURE));
    expect(r.code).toBe(77);
    expect(r.stdout).toMatch(/550 5\.7\.1 this support address takes mail only from the senders it lists/);
  });

  it('over the rate limit exits 75 (the relay retries later) and keeps no case', async () => {
    await t().run('routing', 'add', SUPPORT, '--rate-limit', '1');
    expect((await ingest('ann@acme.example', mail({ from: 'ann@acme.example', subject: 'First' }))).code).toBe(0);
    const r = await ingest('ann@acme.example', mail({ from: 'ann@acme.example', subject: 'Second' }));
    expect(r.code).toBe(75);
    expect(r.stdout).toMatch(/451 4\.7\.1 too many new cases from your address/);
    expect((await t().run('case', 'list', '--json')).json().map((c: { subject: string }) => c.subject)).toEqual(['First']);
  });

  it('a Postfix pipe with both aliases as recipients opens one case', async () => {
    await t().run('routing', 'add', SUPPORT);
    await t().run('routing', 'add', 'help@acme-support.example');
    const r = await t().runWith(['ingest', '--rcpt', SUPPORT, '--rcpt', 'help@acme-support.example', '--mail-from', 'ann@acme.example'], { input: fs.readFileSync(FIXTURE) });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await t().run('case', 'list', '--json')).json()).toHaveLength(1);
  });

  it('--save-headers: inbound show prints the raw header section of an accepted message, and --json has it', async () => {
    await t().run('routing', 'add', SUPPORT, '--save-headers');
    expect((await ingest('ann@acme.example', fs.readFileSync(FIXTURE))).code).toBe(0);
    const [row] = (await t().run('inbound', 'list', '--json')).json();
    expect(row.decision).toBe('accepted');
    const shown = await t().run('inbound', 'show', String(row.id));
    expect(shown.stdout).toContain('Received: from EUR05-AM6-obe.outbound.protection.outlook.com');
    expect(shown.stdout).toContain('\tby mx.acme-support.example (Postfix) with ESMTPS id 4Xk8Mn0Kp1z0aA');
    expect(shown.stdout).toContain('Thread-Index: AQHbPXsfLj09QF1se4B2yq3wMkR5nA==');
    expect(shown.stdout).not.toContain('Could you send someone today?');
    const json = (await t().run('inbound', 'show', String(row.id), '--json')).json();
    expect(json.headers).toMatch(/^Received: from EUR05/);
    expect(json.headers).toContain('X-Mailer: Microsoft Outlook 16.0');
  });

  it('the auto-response is one outbox row of kind auto-response to the sender, instead of case-created', async () => {
    const ack = file(t(), 'ack.txt', TEMPLATE);
    await t().run('routing', 'add', SUPPORT, '--auto-response', ack);
    expect((await ingest('ann@acme.example', fs.readFileSync(FIXTURE))).code).toBe(0);
    const rows = (await t().run('outbox', 'list', '--json')).json();
    expect(rows.map((r: { kind: string; recipient: string }) => [r.kind, r.recipient])).toEqual([['auto-response', 'ann@acme.example']]);
    const sent = await t().run('dispatch', '--once');
    expect(sent.code, sent.stderr).toBe(0);
    const [eml] = fs.readdirSync(path.join(t().dir, 'outbox')).filter((f) => f.endsWith('.eml'));
    const raw = fs.readFileSync(path.join(t().dir, 'outbox', eml as string), 'utf8');
    expect(raw).toMatch(/^Auto-Submitted: auto-replied/m);
    expect(raw).toContain('Hello Ann,');
    expect(raw).toMatch(/your case is \d{8} \(Printer on floor 3 is jammed\)/);
  });
});
