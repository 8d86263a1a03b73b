// `casegate case ...` against the real binary and a throwaway SQLite file (SPEC §2, §3, §6).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openTestDb } from '../helpers/testDb.js';
import { ISO_TIME, templateDb, runCli, useTestDb, type TestDb, okJson as ok, refusedJson as refused } from '../helpers/cli.js';
import { openCaseFromMail } from '../helpers/seed.js';

const CASE_ADDRESS = /^case\+[a-z0-9]{24}@cases\.localhost$/;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * Opens cases in the test's database as the inbound pipeline does for a sender it could not link,
 * keeping the sender (SPEC §3): what the CLI cannot do.
 */
async function openFromMail(t: TestDb, ...mails: Array<{ subject: string; from: { email: string; name: string } }>): Promise<void> {
  const config = loadConfig({ db: t.db }, { CASEGATE_OUTBOX_DIR: path.join(t.dir, 'outbox') });
  const db = await openTestDb(t.db, t.dir);
  try {
    for (const m of mails) await openCaseFromMail(db, config, m);
  } finally {
    await db.close();
  }
}

/**
 * Accounts Acme (1) and Globex (2); users agent@ and bo@; contacts ann (1, Acme, EMEA), gus (2,
 * Globex, username ggrant), nel (3, Acme, not eligible) — made once with the CLI, copied per test.
 */
const seed = templateDb(async (t) => {
  await ok(t, 'account', 'create', 'Acme');
  await ok(t, 'account', 'create', 'Globex');
  await ok(t, 'user', 'create', '--email', 'agent@support.example', '--name', 'Agent Smith');
  await ok(t, 'user', 'create', '--email', 'bo@support.example', '--name', 'Bo Berg');
  await ok(t, 'contact', 'create', '--email', 'ann@acme.example', '--first', 'Ann', '--last', 'Archer', '--account', '1', '--division', 'EMEA');
  await ok(t, 'contact', 'create', '--email', 'gus@globex.example', '--first', 'Gus', '--last', 'Grant', '--account', '2', '--username', 'ggrant');
  await ok(t, 'contact', 'create', '--email', 'nel@acme.example', '--first', 'Nel', '--last', 'North', '--account', '1', '--not-eligible');
});

describe('casegate case create', () => {
  const t = useTestDb();

  it('prints the new case with the fields of SPEC §6, numbered from 00001001', async () => {
    await seed(t());
    const c = await ok(t(), 'case', 'create', '--subject', 'Printer jammed', '--description', 'Paper everywhere', '--contact', 'ann@acme.example');
    expect(c).toMatchObject({
      id: 1,
      number: '00001001',
      subject: 'Printer jammed',
      description: 'Paper everywhere',
      status: 'New',
      priority: 'Medium',
      origin: 'CLI',
      owner: null,
      account: 1,
      parent: null,
      closedWhenCreated: false,
      contact: { email: 'ann@acme.example' },
      collaborators: [],
      comments: [],
      createdAt: expect.stringMatching(ISO_TIME),
    });
    expect(c.address).toMatch(CASE_ADDRESS);
    const second = await ok(t(), 'case', 'create', '--subject', 'Toner low', '--priority', 'high', '--origin', 'Phone');
    expect(second).toMatchObject({ number: '00001002', priority: 'High', origin: 'Phone', contact: null, account: null });
    expect(second.address).toMatch(CASE_ADDRESS);
    expect(second.address).not.toBe(c.address);
  });

  it('shows the same case with "case show"', async () => {
    await seed(t());
    const created = await ok(t(), 'case', 'create', '--subject', 'Printer jammed', '--contact', '1');
    const shown = await ok(t(), 'case', 'show', '00001001');
    expect(shown).toEqual(created);
  });

  it('creates a case closed with --closed: status Closed and closedWhenCreated', async () => {
    const c = await ok(t(), 'case', 'create', '--subject', 'Solved on the phone', '--closed');
    expect(c).toMatchObject({ status: 'Closed', closedWhenCreated: true, closedAt: expect.stringMatching(ISO_TIME) });
    expect(await ok(t(), 'case', 'show', c.number)).toMatchObject({ status: 'Closed', closedWhenCreated: true });
  });

  it('takes account and division from the contact; an explicit --account wins', async () => {
    await seed(t());
    expect(await ok(t(), 'case', 'create', '--subject', 'a', '--contact', 'ANN@acme.example')).toMatchObject({ account: 1, division: 'EMEA' });
    expect(await ok(t(), 'case', 'create', '--subject', 'b', '--contact', 'ann@acme.example', '--account', '2')).toMatchObject({
      account: 2,
      division: 'EMEA',
    });
  });

  it('lists a child case under its parent', async () => {
    await seed(t());
    await ok(t(), 'case', 'create', '--subject', 'Outage', '--contact', 'ann@acme.example');
    const child = await ok(t(), 'case', 'create', '--subject', 'Outage, second site', '--parent', '00001001');
    expect(child.parent).toBe('00001001');
    await ok(t(), 'case', 'create', '--subject', 'Unrelated');
    const parent = await ok(t(), 'case', 'show', '00001001');
    expect(parent.children).toEqual(['00001002']);
    expect(parent.parent).toBeNull();
    expect((await ok(t(), 'case', 'show', '00001002')).parent).toBe('00001001');
  });

  it('refuses a contact that is not eligible for support, and writes nothing', async () => {
    await seed(t());
    await refused(t(), ['case', 'create', '--subject', 'Help', '--contact', 'nel@acme.example'], /nel@acme\.example is not eligible for support/);
  });

  it('refuses an unknown parent, contact, account, owner and creator, and writes nothing', async () => {
    await seed(t());
    await refused(t(), ['case', 'create', '--subject', 'x', '--parent', '00009999'], /no case 00009999/);
    await refused(t(), ['case', 'create', '--subject', 'x', '--parent', '42'], /"42" is not a case number/);
    await refused(t(), ['case', 'create', '--subject', 'x', '--contact', 'nobody@acme.example'], /no contact with email nobody@acme\.example/);
    await refused(t(), ['case', 'create', '--subject', 'x', '--contact', '99'], /no contact with id 99/);
    await refused(t(), ['case', 'create', '--subject', 'x', '--account', '99'], /no account with id 99/);
    await refused(t(), ['case', 'create', '--subject', 'x', '--account', 'acme'], /--account "acme" is not an account id/);
    await refused(t(), ['case', 'create', '--subject', 'x', '--owner', 'nobody@support.example'], /owner nobody@support\.example is not a user; create it with "casegate user create/);
    await refused(t(), ['case', 'create', '--subject', 'x', '--owner', 'not-an-email'], /not-an-email/);
    await refused(t(), ['case', 'create', '--subject', 'x', '--no-assign', '--as', 'ann@acme.example'], /creator \(--as\) ann@acme\.example is not a user; create it/);
  });

  it('refuses an empty subject and an unknown priority, and writes nothing', async () => {
    await refused(t(), ['case', 'create', '--subject', '   '], /a case needs a subject/);
    await refused(t(), ['case', 'create', '--subject', 'x', '--priority', 'urgent'], /priority "urgent" is not one of High, Medium, Low/);
  });

  it('refuses a missing --subject on one line starting "casegate:", and writes nothing', async () => {
    const before = await t().fingerprint();
    const r = await t().run('case', 'create', '--contact', 'ann@acme.example', '--json');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toMatch(/^casegate: .*--subject/);
    expect(await t().fingerprint()).toEqual(before);
  });

  it('refuses a database path where no database is, on one line (exit 78), and creates nothing', async () => {
    const r = await runCli(['case', 'create', '--subject', 'x', '--json'], { db: '/etc/hostname/x.db' });
    expect(r.code).toBe(78);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^casegate: no casegate database at \/etc\/hostname\/x\.db; run `casegate init --db \/etc\/hostname\/x\.db`/);
    expect(fs.existsSync('/etc/hostname/x.db')).toBe(false);
  });
});

describe('casegate case create: the owner', () => {
  const t = useTestDb();
  const withDefault = { CASEGATE_DEFAULT_OWNER: 'agent@support.example' };

  it('gives the case to --owner, over a matching rule and the default owner', async () => {
    await seed(t());
    await ok(t(), 'rule', 'add', '--owner', 'agent@support.example', '--subject-contains', 'printer');
    const r = await t().runWith(['case', 'create', '--subject', 'Printer jammed', '--owner', 'BO@support.example', '--json'], { env: withDefault });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().owner).toBe('bo@support.example');
  });

  it('gives the case to the first matching rule, matching text in any letter case', async () => {
    await seed(t());
    await ok(t(), 'rule', 'add', '--owner', 'agent@support.example', '--subject-contains', 'toner');
    await ok(t(), 'rule', 'add', '--owner', 'bo@support.example', '--subject-contains', 'PRINTER');
    await ok(t(), 'rule', 'add', '--owner', 'agent@support.example', '--subject-contains', 'jammed');
    expect((await ok(t(), 'case', 'create', '--subject', 'printer jammed')).owner).toBe('bo@support.example');
  });

  it('follows the rule order, not the order the rules were added', async () => {
    await seed(t());
    await ok(t(), 'rule', 'add', '--owner', 'agent@support.example', '--subject-contains', 'printer');
    await ok(t(), 'rule', 'add', '--owner', 'bo@support.example', '--subject-contains', 'jammed', '--order', '1');
    expect((await ok(t(), 'case', 'create', '--subject', 'Printer jammed')).owner).toBe('bo@support.example');
  });

  it('matches a rule on the domain of the contact\'s email', async () => {
    await seed(t());
    await ok(t(), 'rule', 'add', '--owner', 'bo@support.example', '--from-domain', 'ACME.example');
    expect((await ok(t(), 'case', 'create', '--subject', 'x', '--contact', 'ann@acme.example')).owner).toBe('bo@support.example');
    expect((await ok(t(), 'case', 'create', '--subject', 'x', '--contact', 'gus@globex.example')).owner).toBeNull();
  });

  it('gives the case to CASEGATE_DEFAULT_OWNER when no rule matches', async () => {
    await seed(t());
    await ok(t(), 'rule', 'add', '--owner', 'bo@support.example', '--subject-contains', 'invoice');
    const r = await t().runWith(['case', 'create', '--subject', 'Printer jammed', '--json'], { env: withDefault });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().owner).toBe('agent@support.example');
  });

  it('gives the case to the creator (--as) with --no-assign, ignoring rules and the default owner', async () => {
    await seed(t());
    await ok(t(), 'rule', 'add', '--owner', 'agent@support.example', '--subject-contains', 'printer');
    const r = await t().runWith(['case', 'create', '--subject', 'Printer jammed', '--no-assign', '--as', 'bo@support.example', '--json'], {
      env: withDefault,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().owner).toBe('bo@support.example');
  });

  it('leaves the case unassigned without owner, matching rule, default owner or creator', async () => {
    await seed(t());
    expect((await ok(t(), 'case', 'create', '--subject', 'x')).owner).toBeNull();
    expect((await ok(t(), 'case', 'create', '--subject', 'x', '--no-assign')).owner).toBeNull();
  });

  it('refuses a default owner that is not a user, and writes nothing', async () => {
    await refused(t(), ['case', 'create', '--subject', 'x'], /ghost@support\.example \(CASEGATE_DEFAULT_OWNER\) is not a user/, {
      CASEGATE_DEFAULT_OWNER: 'ghost@support.example',
    });
  });
});

describe('casegate case create: the "case created" email', () => {
  const t = useTestDb();

  it('writes one pending case-created outbox row for the contact', async () => {
    await seed(t());
    await ok(t(), 'case', 'create', '--subject', 'Printer jammed', '--contact', 'ann@acme.example');
    const rows = await ok(t(), 'outbox', 'list');
    expect(rows).toEqual([
      expect.objectContaining({ case: '00001001', recipient: 'ann@acme.example', kind: 'case-created', status: 'pending', attempts: 0, lastError: null }),
    ]);
  });

  it('writes one also for a case created closed', async () => {
    await seed(t());
    await ok(t(), 'case', 'create', '--subject', 'Solved', '--contact', 'ann@acme.example', '--closed');
    expect(await ok(t(), 'outbox', 'list')).toHaveLength(1);
  });

  it('writes none with --no-notify', async () => {
    await seed(t());
    await ok(t(), 'case', 'create', '--subject', 'Printer jammed', '--contact', 'ann@acme.example', '--no-notify');
    expect(await ok(t(), 'outbox', 'list')).toEqual([]);
  });

  it('writes none for a case without contact', async () => {
    await ok(t(), 'case', 'create', '--subject', 'Printer jammed');
    expect(await ok(t(), 'outbox', 'list')).toEqual([]);
  });
});

describe('casegate case list', () => {
  const t = useTestDb();

  async function threeCases(): Promise<void> {
    await seed(t());
    await ok(t(), 'case', 'create', '--subject', 'one', '--contact', 'ann@acme.example');
    await ok(t(), 'case', 'create', '--subject', 'two');
    await ok(t(), 'case', 'create', '--subject', 'three', '--contact', 'gus@globex.example', '--closed');
  }

  it('lists every case, oldest first, as a JSON array', async () => {
    await threeCases();
    const rows = await ok(t(), 'case', 'list');
    expect(rows.map((r: Json) => r.number)).toEqual(['00001001', '00001002', '00001003']);
    expect(rows[0]).toMatchObject({ subject: 'one', status: 'New', contact: { email: 'ann@acme.example' } });
    expect(rows[0].address).toMatch(CASE_ADDRESS);
  });

  it('lists an empty array when there are no cases', async () => {
    expect(await ok(t(), 'case', 'list')).toEqual([]);
  });

  it('filters by status, in any letter case', async () => {
    await threeCases();
    expect((await ok(t(), 'case', 'list', '--status', 'New')).map((r: Json) => r.number)).toEqual(['00001001', '00001002']);
    expect((await ok(t(), 'case', 'list', '--status', 'closed')).map((r: Json) => r.number)).toEqual(['00001003']);
    expect(await ok(t(), 'case', 'list', '--status', 'Escalated')).toEqual([]);
  });

  it('lists the cases without a contact with --unlinked', async () => {
    await threeCases();
    expect((await ok(t(), 'case', 'list', '--unlinked')).map((r: Json) => r.number)).toEqual(['00001002']);
    expect((await ok(t(), 'case', 'list', '--unlinked', '--status', 'closed')).map((r: Json) => r.number)).toEqual([]);
  });

  it('refuses an unknown status', async () => {
    await threeCases();
    await refused(t(), ['case', 'list', '--status', 'Open'], /status "Open" is not one of New, Working, Escalated, Closed/);
  });

  it('prints a table without --json', async () => {
    await threeCases();
    const r = await t().run('case', 'list');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^NUMBER\s+STATUS\s+PRIORITY\s+SUBJECT/);
    expect(r.stdout).toContain('00001003');
  });
});

describe('casegate case show', () => {
  const t = useTestDb();

  it('refuses an unknown case number and a malformed one', async () => {
    await refused(t(), ['case', 'show', '00009999'], /no case 00009999/);
    await refused(t(), ['case', 'show', '1001'], /"1001" is not a case number/);
  });
});

describe('casegate case close and reopen', () => {
  const t = useTestDb();

  it('closes a case, then reopens it as Working', async () => {
    await ok(t(), 'case', 'create', '--subject', 'x');
    const closed = await ok(t(), 'case', 'close', '00001001');
    expect(closed).toMatchObject({ number: '00001001', status: 'Closed', closedWhenCreated: false, closedAt: expect.stringMatching(ISO_TIME) });
    const reopened = await ok(t(), 'case', 'reopen', '00001001');
    expect(reopened).toMatchObject({ status: 'Working', closedAt: null });
    expect((await ok(t(), 'case', 'show', '00001001')).status).toBe('Working');
  });

  it('reopens a case created closed', async () => {
    await ok(t(), 'case', 'create', '--subject', 'x', '--closed');
    expect(await ok(t(), 'case', 'reopen', '00001001')).toMatchObject({ status: 'Working', closedWhenCreated: true });
  });

  it('refuses to close a closed case or reopen an open one, and writes nothing', async () => {
    await ok(t(), 'case', 'create', '--subject', 'open');
    await ok(t(), 'case', 'create', '--subject', 'closed', '--closed');
    await refused(t(), ['case', 'close', '00001002'], /case 00001002 is already closed/);
    await refused(t(), ['case', 'reopen', '00001001'], /case 00001001 is not closed \(status New\)/);
    await refused(t(), ['case', 'close', '00009999'], /no case 00009999/);
  });
});

describe('casegate case link-contact, unlink-contact and suggest-contacts', () => {
  const t = useTestDb();

  it('links a contact to an unlinked case; the account and division follow the contact', async () => {
    await seed(t());
    await ok(t(), 'case', 'create', '--subject', 'x');
    const linked = await ok(t(), 'case', 'link-contact', '00001001', 'Ann@Acme.example');
    expect(linked).toMatchObject({ contact: { email: 'ann@acme.example' }, account: 1, division: 'EMEA' });
    expect(await ok(t(), 'case', 'list', '--unlinked')).toEqual([]);
  });

  it('unlinks, and the case shows under --unlinked again; relinks by contact id', async () => {
    await seed(t());
    await ok(t(), 'case', 'create', '--subject', 'x', '--contact', 'ann@acme.example');
    expect((await ok(t(), 'case', 'unlink-contact', '00001001')).contact).toBeNull();
    expect((await ok(t(), 'case', 'list', '--unlinked')).map((r: Json) => r.number)).toEqual(['00001001']);
    expect((await ok(t(), 'case', 'link-contact', '00001001', '2')).contact.email).toBe('gus@globex.example');
    expect((await ok(t(), 'case', 'link-contact', '00001001', '1')).contact.email).toBe('ann@acme.example');
  });

  it('refuses an ineligible contact, the same contact again, a collaborator, and unlinking twice', async () => {
    await seed(t());
    await ok(t(), 'case', 'create', '--subject', 'x', '--contact', 'ann@acme.example');
    await ok(t(), 'collaborator', 'add', '00001001', 'gus@globex.example');
    await refused(t(), ['case', 'link-contact', '00001001', 'nel@acme.example'], /not eligible for support/);
    await refused(t(), ['case', 'link-contact', '00001001', 'ann@acme.example'], /already linked to contact 1/);
    await refused(t(), ['case', 'link-contact', '00001001', 'gus@globex.example'], /gus@globex\.example is a collaborator of case 00001001/);
    await refused(t(), ['case', 'link-contact', '00001001', 'nobody@acme.example'], /no contact with email nobody@acme\.example/);
    await ok(t(), 'case', 'unlink-contact', '00001001');
    await refused(t(), ['case', 'unlink-contact', '00001001'], /case 00001001 has no contact to unlink/);
    await refused(t(), ['case', 'link-contact', '00009999', 'ann@acme.example'], /no case 00009999/);
  });

  it('suggests nothing for a case opened without a sender', async () => {
    await seed(t());
    await ok(t(), 'case', 'create', '--subject', 'x');
    expect(await ok(t(), 'case', 'suggest-contacts', '00001001')).toEqual([]);
  });

  it('suggests contacts for an unlinked case from mail: by email, else by name, else by username', async () => {
    await seed(t());
    await ok(t(), 'contact', 'create', '--email', 'ANN@acme.example', '--first', 'Annie', '--last', 'Archer', '--account', '2');
    // What the inbound pipeline keeps of the sender of a case it could not link (SPEC §3).
    await openFromMail(
      t(),
      { subject: 'by email', from: { email: 'ann@ACME.example', name: 'Ann A' } },
      { subject: 'by name', from: { email: 'gus.private@mail.example', name: 'Grant, Gus' } },
      { subject: 'by username', from: { email: 'ggrant@mail.example', name: '' } },
    );

    const byEmail = await ok(t(), 'case', 'suggest-contacts', '00001001');
    expect(byEmail.map((c: Json) => c.id)).toEqual([1, 4]);
    expect(byEmail[0]).toEqual({ id: 1, email: 'ann@acme.example', firstName: 'Ann', lastName: 'Archer', account: 1 });
    expect((await ok(t(), 'case', 'suggest-contacts', '00001002')).map((c: Json) => c.email)).toEqual(['gus@globex.example']);
    expect((await ok(t(), 'case', 'suggest-contacts', '00001003')).map((c: Json) => c.email)).toEqual(['gus@globex.example']);
    const shown = await ok(t(), 'case', 'show', '00001002');
    expect(shown.suggestedContacts).toEqual([{ id: 2, email: 'gus@globex.example', name: 'Gus Grant' }]);
    expect((await ok(t(), 'case', 'list', '--unlinked')).map((r: Json) => r.suppliedEmail)).toEqual([
      'ann@ACME.example',
      'gus.private@mail.example',
      'ggrant@mail.example',
    ]);
  });

  it('refuses suggestions for an unknown case', async () => {
    await refused(t(), ['case', 'suggest-contacts', '00009999'], /no case 00009999/);
  });
});
