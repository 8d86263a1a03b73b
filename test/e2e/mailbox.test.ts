// Fetching from an IMAP mailbox, against a real Dovecot (test/helpers/dovecot.ts) started once for
// the file: every message goes through the ingest pipeline as if sent to the mailbox's address, then
// moves to casegate/done or casegate/refused; unreachable mailboxes are explained and tried again.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { createCommitter, type Db } from '../../src/db/client.js';
import { createAccount } from '../../src/admin/accounts.js';
import { createContact } from '../../src/admin/contacts.js';
import { addRoutingAddress } from '../../src/admin/routing.js';
import { addMailbox, listMailboxes, removeMailbox } from '../../src/admin/mailboxes.js';
import { fetchOnce, type FetchOnceOptions } from '../../src/mailbox/once.js';
import { createMailboxWatchers } from '../../src/mailbox/watch.js';
import { ANN, BOB, EVE, SUPPORT, addCollaborator, countRows, createCase, showCase } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { tempDir } from '../helpers/tempDir.js';
import { engineEnv, newDatabase, openTestDb, query } from '../helpers/testDb.js';
import { dovecotUnavailable, startDovecot, type DovecotInstance } from '../helpers/dovecot.js';
import { freePort } from '../helpers/postfix.js';

const skip = dovecotUnavailable();
const PASSWORD = 'correct horse battery staple';
/** Each test has its own IMAP user, so that no test sees another's mail. */
const USERS = ['newcase', 'reply', 'stranger', 'crash', 'nomove', 'refusedonce', 'renewed', 'retry', 'idle', 'others', 'oauth', 'oauthretry'];
const DONE = 'casegate/done';
const REFUSED = 'casegate/refused';

/** The XOAUTH2 access token the introspection server below takes for a user (the users' passwords are for the test's own APPENDs). */
const goodToken = (user: string): string => `ya29.good-for-${user}`;
const BAD_TOKEN = 'ya29.expired-token-7d1e0b';

let imap: DovecotInstance;
let introspection: Introspection;
beforeAll(async () => {
  if (skip) return;
  introspection = await startIntrospection();
  imap = await startDovecot(Object.fromEntries(USERS.map((u) => [u, PASSWORD])), { oauth2IntrospectionUrl: introspection.url });
}, 30_000);
afterAll(async () => {
  await imap?.cleanup();
  await introspection?.close();
});

interface Introspection {
  url: string;
  /** The tokens asked about, in order. */
  asked: string[];
  close(): Promise<void>;
}

/** An OAuth 2.0 token introspection endpoint (RFC 7662) on loopback: active are the tokens of goodToken(). */
async function startIntrospection(): Promise<Introspection> {
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => (body += d.slice(0, 4096)));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('token') ?? '';
      asked.push(token);
      const user = token.startsWith(goodToken('')) ? token.slice(goodToken('').length) : null;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(user !== null ? { active: true, username: user } : { active: false }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/introspect`, asked, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface Setup {
  dir: string;
  db: Db;
  config: Config;
  caseNumber: string;
  caseAddress: string;
  passwordFile: string;
  /** Adds the mailbox of `user` (INBOX), counted as sent to `to`. */
  add(user: string, to?: string, passwordFile?: string): Promise<void>;
  fetch(opts?: FetchOnceOptions): ReturnType<typeof fetchOnce>;
  cleanup(): Promise<void>;
}

async function setup(env: Record<string, string> = {}): Promise<Setup> {
  const { dir, cleanup } = tempDir('mailbox');
  const location = await newDatabase(dir);
  const config = loadConfig({ db: location }, { CASEGATE_OUTBOX_DIR: path.join(dir, 'outbox'), CASEGATE_SENDER_AUTH: 'off', ...engineEnv(dir), ...env });
  const db = await openTestDb(config.db, dir);
  await db.transaction(async (tx) => {
    const acme = await createAccount(tx, 'Acme');
    await createContact(tx, { account: acme.id, email: ANN, firstName: 'Ann', lastName: 'Archer' });
    await createContact(tx, { account: acme.id, email: BOB, firstName: 'Bob', lastName: 'Baker' });
    await addRoutingAddress(tx, config, { address: SUPPORT });
  });
  const c = await createCase(db, config, { subject: 'Printer on floor 3 is jammed', contact: ANN });
  await addCollaborator(db, config, c.number, BOB);
  const passwordFile = path.join(dir, 'imap-password');
  fs.writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  const ctx = { db, config, committer: createCommitter(db) };
  return {
    dir,
    db,
    config,
    caseNumber: c.number,
    caseAddress: c.address,
    passwordFile,
    add: async (user, to = SUPPORT, file = passwordFile) => {
      await db.transaction((tx) => addMailbox(tx, config, { url: imap.url(user), to, passwordFile: file, insecure: true }));
    },
    fetch: (opts) => fetchOnce(ctx, opts),
    cleanup: async () => {
      await db.close();
      cleanup();
    },
  };
}

const comments = async (s: Setup, number = s.caseNumber): Promise<string[]> => (await showCase(s.db, s.config, number)).comments.map((c) => c.body);

describe.skipIf(skip)('a message in the mailbox goes through the same stages as SMTP mail, as if sent to --to', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup();
  });
  afterEach(async () => s.cleanup());

  it('a new message to the routing address opens a case and moves to casegate/done', async () => {
    await s.add('newcase');
    await imap.append('newcase', mail({ from: ANN, subject: 'Scanner shows error E42', body: 'The scanner on floor 2 shows E42.' }));
    const [pass] = await s.fetch();
    expect(pass).toMatchObject({ done: 1, refused: 0, kept: 0, error: null });
    const [opened] = await query<{ subject: string; origin: string }>(s.db, "SELECT subject, origin FROM cases WHERE subject = 'Scanner shows error E42'");
    expect(opened).toBeDefined();
    expect(await imap.count('newcase', 'INBOX')).toBe(0);
    expect(await imap.subjects('newcase', DONE)).toEqual(['Scanner shows error E42']);
    // The notification to Ann is in the outbox, as for mail over SMTP.
    expect(await countRows(s.db, 'outbox', "kind = 'case-created' AND recipient = ?", ANN)).toBe(2);
  });

  it('a reply to one of our notifications becomes a comment on its case', async () => {
    await s.add('reply');
    const [notice] = await query<{ messageId: string }>(s.db, 'SELECT message_id AS "messageId" FROM outbox WHERE recipient = ? ORDER BY id LIMIT 1', [ANN]);
    await imap.append('reply', mail({ from: ANN, body: 'Still jammed after the restart.', headers: { 'In-Reply-To': notice?.messageId ?? '', References: notice?.messageId ?? '' } }));
    const [pass] = await s.fetch();
    expect(pass).toMatchObject({ done: 1, refused: 0, error: null });
    expect(await comments(s)).toEqual(['Still jammed after the restart.']);
    expect(await imap.count('reply', DONE)).toBe(1);
  });

  it('a stranger is refused into casegate/refused: nothing stored, nothing sent back, the inbound log says why', async () => {
    await s.add('stranger', s.caseAddress);
    const outboxBefore = await countRows(s.db, 'outbox');
    await imap.append('stranger', mail({ from: EVE, subject: 'Re: your printer', body: 'Click here.' }));
    const [pass] = await s.fetch();
    expect(pass).toMatchObject({ done: 0, refused: 1, error: null });
    expect(await comments(s)).toEqual([]);
    expect(await countRows(s.db, 'outbox')).toBe(outboxBefore);
    const [log] = await query<{ decision: string; reason: string; rcpt: string }>(s.db, 'SELECT decision, reason, rcpt FROM inbound ORDER BY id DESC LIMIT 1');
    expect(log).toMatchObject({ decision: 'refused', rcpt: s.caseAddress });
    expect(log?.reason).toMatch(/^550 5\.7\.1 /);
    expect(await imap.subjects('stranger', REFUSED)).toEqual(['Re: your printer']);
    expect(await imap.count('stranger', 'INBOX')).toBe(0);
  });

  it('a message taken but not moved (a crash between the commit and the move) is fetched again and makes one comment', async () => {
    await s.add('crash', s.caseAddress);
    const reply = mail({ from: ANN, body: 'Fixed by itself, thanks.', messageId: '<crash-1@acme.example>' });
    await imap.append('crash', reply);
    await s.fetch();
    // The same message in INBOX again: what a crash after the commit and before the move leaves.
    await imap.append('crash', reply);
    const [pass] = await s.fetch();
    expect(pass).toMatchObject({ done: 1, refused: 0, error: null });
    expect(await comments(s)).toEqual(['Fixed by itself, thanks.']);
    const decisions = await query<{ decision: string }>(s.db, 'SELECT decision FROM inbound ORDER BY id');
    expect(decisions.map((d) => d.decision)).toEqual(['accepted', 'duplicate']);
    expect(await imap.count('crash', DONE)).toBe(2);
  });
});

/** A message as some clients send it: no Message-ID, so the duplicate rule cannot know it again. */
const withoutMessageId = (raw: string): string => raw.replace(/^Message-ID: [^\r\n]*\r\n/m, '');

describe.skipIf(skip)('a message is taken once: its UID is recorded with it, and a message taken but not moved is only moved', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup();
  });
  afterEach(async () => s.cleanup());

  it('without a Message-ID, stored and then not moved (the move fails): the next pass only moves it, one case', async () => {
    await s.add('nomove');
    await imap.append('nomove', withoutMessageId(mail({ from: ANN, subject: 'Projector in room 4 has no signal', body: 'No signal on HDMI 1.' })));
    // Between the commit and the move, casegate/done disappears: the move fails, as after a crash.
    const [first] = await s.fetch({ onOutcome: () => imap.deleteFolderNow('nomove', DONE) });
    expect(first?.error).toMatch(/^message UID \d+ is taken but could not be moved to casegate\/done; it is moved at the next pass, not taken again$/);
    expect(await imap.count('nomove', 'INBOX')).toBe(1);
    const lines: string[] = [];
    const [second] = await s.fetch({ log: (l) => lines.push(l) });
    expect(second).toMatchObject({ done: 1, refused: 0, kept: 0, error: null });
    expect(lines).toEqual([expect.stringMatching(/^mailbox imaps:\/\/nomove@.*: message UID \d+ was taken by an earlier pass that ended before moving it; moved to casegate\/done now, not taken again$/)]);
    expect(await countRows(s.db, 'cases', "subject = 'Projector in room 4 has no signal'")).toBe(1);
    expect(await countRows(s.db, 'inbound')).toBe(1);
    expect(await imap.count('nomove', 'INBOX')).toBe(0);
    expect(await imap.subjects('nomove', DONE)).toEqual(['Projector in room 4 has no signal']);
    // The record of the UID goes with its mailbox.
    expect(await countRows(s.db, 'mailbox_messages')).toBe(1);
    await s.db.transaction((tx) => removeMailbox(tx, imap.url('nomove')));
    expect(await countRows(s.db, 'mailbox_messages')).toBe(0);
  });

  it('a refused message taken but not moved goes to casegate/refused at the next pass, as first decided', async () => {
    await s.add('refusedonce', s.caseAddress);
    await imap.append('refusedonce', withoutMessageId(mail({ from: EVE, subject: 'Invoice attached', body: 'Open it.' })));
    const [first] = await s.fetch({ onOutcome: () => imap.deleteFolderNow('refusedonce', REFUSED) });
    expect(first?.error).toMatch(/could not be moved to casegate\/refused/);
    const [second] = await s.fetch();
    expect(second).toMatchObject({ done: 0, refused: 1, error: null });
    expect(await countRows(s.db, 'inbound')).toBe(1);
    expect(await imap.subjects('refusedonce', REFUSED)).toEqual(['Invoice attached']);
  });

  it('a folder made anew (a new UIDVALIDITY) has new UIDs: its messages are taken, not mistaken for the old ones', async () => {
    await s.db.transaction((tx) => addMailbox(tx, s.config, { url: imap.url('renewed', 'Support'), to: SUPPORT, passwordFile: s.passwordFile, insecure: true }));
    await imap.append('renewed', withoutMessageId(mail({ from: ANN, subject: 'Monitor flickers' })), 'Support');
    expect((await s.fetch())[0]).toMatchObject({ done: 1, error: null });
    imap.deleteFolderNow('renewed', 'Support');
    // The same UID again, in a folder with a new UIDVALIDITY.
    await imap.append('renewed', withoutMessageId(mail({ from: ANN, subject: 'Keyboard misses keys' })), 'Support');
    expect((await s.fetch())[0]).toMatchObject({ done: 1, error: null });
    const subjects = await query<{ subject: string }>(s.db, 'SELECT subject FROM cases ORDER BY id');
    expect(subjects.map((c) => c.subject)).toEqual(['Printer on floor 3 is jammed', 'Monitor flickers', 'Keyboard misses keys']);
  });
});

describe.skipIf(skip)('a mailbox that cannot be read is explained, tried again, and does not stop the others', () => {
  let s: Setup;
  afterEach(async () => s.cleanup());

  it('fetch --once: a wrong password and a server that is down are reported; the good mailbox is drained', async () => {
    s = await setup();
    const wrong = path.join(s.dir, 'wrong-password');
    fs.writeFileSync(wrong, 'not the password\n');
    await s.add('retry', SUPPORT, wrong);
    const down = await freePort();
    await s.db.transaction((tx) => addMailbox(tx, s.config, { url: `imaps://nobody@127.0.0.1:${down}/INBOX`, to: SUPPORT, passwordFile: s.passwordFile, insecure: true }));
    await s.add('others');
    await imap.append('others', mail({ from: ANN, subject: 'Toner is empty' }));
    const passes = await s.fetch();
    expect(passes.map((p) => [p.done, p.error])).toEqual([
      [0, expect.stringMatching(/^the server refused the login of retry .*check the password file or the token command/)],
      [0, `nothing answers on 127.0.0.1:${down} (connection refused); check the host and port, and that the IMAP server runs`],
      [1, null],
    ]);
    const listed = await s.db.transaction((tx) => listMailboxes(tx), 'read');
    expect(listed.map((m) => m.lastError === null)).toEqual([false, false, true]);
    expect(JSON.stringify(listed)).not.toContain('not the password');
  });

  it('watching: a wrong password is logged and tried again on the schedule; once fixed, the mail is taken', async () => {
    s = await setup({ CASEGATE_MAILBOX_RETRY_SCHEDULE: '1', CASEGATE_MAILBOX_POLL_SECONDS: '300' });
    const file = path.join(s.dir, 'password');
    fs.writeFileSync(file, 'stale password\n');
    await s.add('retry', SUPPORT, file);
    await imap.append('retry', mail({ from: ANN, subject: 'Badge reader is offline' }));
    const lines: string[] = [];
    const watchers = createMailboxWatchers({ db: s.db, config: s.config, committer: createCommitter(s.db) }, { log: (l) => lines.push(l) });
    watchers.start();
    try {
      await until(() => lines.filter((l) => /trying again in 1 s/.test(l)).length >= 2, 10_000, () => lines.join('\n'));
      expect(lines[0]).toMatch(/^mailbox imaps:\/\/retry@127\.0\.0\.1:\d+\/INBOX: the server refused the login of retry .*; trying again in 1 s \(failure 1 in a row\)$/);
      expect(lines[1]).toMatch(/\(failure 2 in a row\)$/);
      fs.writeFileSync(file, `${PASSWORD}\n`);
      await until(async () => (await imap.count('retry', DONE)) === 1, 10_000, () => lines.join('\n'));
      // The pass moves the message, then records the mailbox's state (a commit of its own), then logs.
      await until(() => lines.some((l) => /: reachable again$/.test(l)), 10_000, () => lines.join('\n'));
      expect(await countRows(s.db, 'cases', "subject = 'Badge reader is offline'")).toBe(1);
    } finally {
      await watchers.stop();
    }
  });
});

describe.skipIf(skip)('XOAUTH2: an access token from --token-command, checked by the server', () => {
  let s: Setup;
  afterEach(async () => s.cleanup());

  const addOauth = async (user: string, tokenFile: string): Promise<void> => {
    await s.db.transaction((tx) => addMailbox(tx, s.config, { url: imap.url(user), to: SUPPORT, tokenCommand: `cat '${tokenFile}'`, insecure: true }));
  };

  it('a good token logs in with XOAUTH2 and the message is taken', async () => {
    s = await setup();
    const tokenFile = path.join(s.dir, 'token');
    fs.writeFileSync(tokenFile, `${goodToken('oauth')}\n`);
    await addOauth('oauth', tokenFile);
    await imap.append('oauth', mail({ from: ANN, subject: 'Laptop battery swells' }));
    const [pass] = await s.fetch();
    expect(pass).toMatchObject({ done: 1, refused: 0, error: null });
    expect(introspection.asked).toContain(goodToken('oauth'));
    expect(fs.readFileSync(path.join(imap.dir, 'dovecot.log'), 'utf8')).toMatch(/Login: user=<oauth>, method=XOAUTH2/);
    expect(await countRows(s.db, 'cases', "subject = 'Laptop battery swells'")).toBe(1);
  });

  it('a bad token is a clear error, tried again on the schedule, never logged; a good one later takes the mail', async () => {
    s = await setup({ CASEGATE_MAILBOX_RETRY_SCHEDULE: '1', CASEGATE_MAILBOX_POLL_SECONDS: '300' });
    const tokenFile = path.join(s.dir, 'token');
    fs.writeFileSync(tokenFile, `${BAD_TOKEN}\n`);
    await addOauth('oauthretry', tokenFile);
    await imap.append('oauthretry', mail({ from: ANN, subject: 'Docking station is dead' }));
    const lines: string[] = [];
    const watchers = createMailboxWatchers({ db: s.db, config: s.config, committer: createCommitter(s.db) }, { log: (l) => lines.push(l) });
    watchers.start();
    try {
      await until(() => lines.filter((l) => /trying again in 1 s/.test(l)).length >= 2, 10_000, () => lines.join('\n'));
      expect(lines[0]).toMatch(/^mailbox imaps:\/\/oauthretry@127\.0\.0\.1:\d+\/INBOX: the server refused the login of oauthretry .*check the password file or the token command of this mailbox; trying again in 1 s \(failure 1 in a row\)$/);
      expect(introspection.asked).toContain(BAD_TOKEN);
      fs.writeFileSync(tokenFile, `${goodToken('oauthretry')}\n`);
      await until(() => lines.some((l) => /: reachable again$/.test(l)), 10_000, () => lines.join('\n'));
      expect(await imap.count('oauthretry', DONE)).toBe(1);
      expect(await countRows(s.db, 'cases', "subject = 'Docking station is dead'")).toBe(1);
    } finally {
      await watchers.stop();
    }
    const listed = JSON.stringify(await s.db.transaction((tx) => listMailboxes(tx), 'read'));
    for (const token of [BAD_TOKEN, goodToken('oauthretry')]) {
      expect(lines.join('\n')).not.toContain(token);
      expect(listed).not.toContain(token);
    }
  });
});

/** Waits until `check` holds, looking every 50 ms; fails with `describe()` after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms: number, describe: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms:\n${describe()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
