// A real Postfix (a throwaway instance, test/helpers/postfix.ts) in front of casegate, configured
// with the blocks of docs/postfix.md: SMTP relay to `casegate serve`, LMTP to `casegate serve
// --lmtp`, the pipe transport running `casegate ingest` as another user, a routing address in the
// company's own domain, and recipient verification (unknown addresses refused at RCPT, no bounce).
// Mail goes into Postfix over SMTP; what Postfix did is read from its log (status= per queue id
// and recipient), what casegate did from its database. Then casegate's notifications leave through
// the same Postfix: refused at RCPT (failed, address held) and bounced later (the DSN comes back
// to casegate through the relay). Needs root and Postfix: skipped with the reason outside CI,
// fails in CI (CI=true).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContact } from '../../src/admin/contacts.js';
import { addRoutingAddress } from '../../src/admin/routing.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { markSent } from '../../src/db/outbox.js';
import { BIN, runCli, startServe, type Served } from '../helpers/cli.js';
import { postfixUnavailable, queueIdOf, pageConfig, startPostfix, waitForProcessesGone, type Delivery, type PostfixInstance } from '../helpers/postfix.js';
import { ANN, EVE, addCollaborator, countRows, createCase } from '../helpers/seed.js';
import { mail, sendRaw } from '../helpers/smtp.js';
import { startCaptureServer, type CaptureServer } from '../helpers/capture.js';
import { tempDir } from '../helpers/tempDir.js';
import { inTx, newDatabase, openTestDb, query } from '../helpers/testDb.js';

const DOMAIN = 'cases.localhost';
const UNKNOWN = `nobody@${DOMAIN}`;
/** A routing address in the cases domain (Postfix hands casegate the cases domain only). */
const HELP = `help@${DOMAIN}`;
/** More free space than any disk has: every new message gets 452 4.3.1 / exit 75. */
const NO_SPACE = { CASEGATE_MIN_FREE_BYTES: String(Number.MAX_SAFE_INTEGER) };
/** The user the pipe runs casegate as (pipe refuses root and the mail owner). */
const PIPE_USER = 'nobody';

const unavailable = postfixUnavailable();
const inCi = process.env.CI === 'true';
if (unavailable !== null && !inCi) console.log(`test/e2e/postfix.test.ts skipped: ${unavailable}`);
const describePostfix = unavailable !== null && !inCi ? describe.skip : describe;

/** What each scenario's Postfix logged, printed at the end (the report quotes it). */
const logged: string[] = [];
afterAll(async () => {
  if (logged.length > 0) console.log(`Postfix status lines:\n${logged.join('\n')}`);
});

interface Store {
  dir: string;
  db: string;
  caseAddress: string;
  caseNumber: string;
  /** Runs `fn` on the database (this process, root); the folder is given back to `owner` after. */
  read<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  cleanup(): void;
}

/** A database with Ann's case and the routing address HELP; the folder owned by `owner` when given. */
async function newStore(owner?: string): Promise<Store> {
  const { dir, cleanup } = tempDir('postfix-db');
  fs.chmodSync(dir, 0o755);
  const db = await newDatabase(dir);
  const config = loadConfig({ db }, { CASEGATE_OUTBOX_DIR: path.join(dir, 'outbox') });
  const handle = await openTestDb(db, dir);
  await inTx(handle, createContact, { email: ANN, firstName: 'Ann', lastName: 'Archer' });
  await inTx(handle, addRoutingAddress, config, { address: HELP });
  const c = await createCase(handle, config, { subject: 'Printer on floor 3 is jammed', contact: ANN });
  await handle.close();
  const giveBack = (): void => {
    if (owner) execFileSync('chown', ['-R', owner, dir]);
  };
  giveBack();
  return {
    dir,
    db,
    caseAddress: c.address,
    caseNumber: c.number,
    async read(fn) {
      const h = await openTestDb(db, dir);
      try {
        return await fn(h);
      } finally {
        await h.close();
        giveBack();
      }
    },
    cleanup,
  };
}

function requirePostfix(): void {
  if (unavailable !== null) throw new Error(`Postfix cannot run here (${unavailable}), and CI=true: the Postfix tests must run in CI`);
}

/** Sends `raw` into Postfix over SMTP and waits until Postfix logged a final or deferred status for each recipient. */
async function through(pf: PostfixInstance, raw: string, envelope: { from: string; to: string[] }): Promise<Delivery[]> {
  const r = await sendRaw(pf.port, raw, envelope);
  expect(r.code, r.response).toBe(250);
  const id = queueIdOf(r.response);
  const out: Delivery[] = [];
  for (const to of envelope.to) {
    const d = await pf.waitForDelivery((x) => x.queueId === id && x.to === to);
    logged.push(`[${scenario}] ${d.line}`);
    out.push(d);
  }
  return out;
}

let scenario = '';

const lastInbound = (s: Store): Promise<{ decision: string; reason: string }> =>
  s.read(async (h) => (await query(h, 'SELECT decision, reason FROM inbound ORDER BY id DESC LIMIT 1'))[0] as { decision: string; reason: string });
/** Comments from mail on Ann's case. */
const emailComments = (s: Store): Promise<number> =>
  s.read((h) => countRows(h, 'comments', "source = 'email' AND case_id = (SELECT id FROM cases WHERE number = ?)", s.caseNumber));
const cases = (s: Store): Promise<number> => s.read((h) => countRows(h, 'cases'));

/** Postfix relaying the cases domain to casegate by the page's blocks `main.cf: NAME` and `transport: NAME`. */
function relaySetup(name: string, values: Record<string, string>, extra: { main?: string; master?: string; tables?: Record<string, string> } = {}) {
  const v = { 'cases.example.com': DOMAIN, '/etc/postfix/': '{conf}/', ...values };
  return {
    name: `postfix-${name.toLowerCase().replace(/\W+/g, '-')}`,
    main: `${pageConfig(`/etc/postfix/main.cf: ${name}`, v)}\n${extra.main ?? ''}`,
    master: `${name === 'pipe' ? pageConfig('/etc/postfix/master.cf: pipe', v) : ''}\n${extra.master ?? ''}`,
    tables: { transport: pageConfig(`/etc/postfix/transport: ${name}`, v), ...extra.tables },
  };
}

/** Hooks of one relay scenario: `casegate serve` (SMTP or LMTP) with `env`, and a Postfix relaying the cases domain to it as docs/postfix.md says. */
function relayedTo(name: string, lmtp: boolean, readmePort: string, env: Record<string, string>, ready: (store: Store, pf: PostfixInstance) => void): void {
  let store: Store | undefined;
  let served: Served | undefined;
  let pf: PostfixInstance | undefined;
  beforeAll(async () => {
    requirePostfix();
    store = await newStore();
    served = await startServe(store.db, ['--no-dispatch', ...(lmtp ? ['--lmtp'] : [])], { CASEGATE_OUTBOX_DIR: path.join(store.dir, 'outbox'), ...env });
    pf = await startPostfix(relaySetup(name, { [readmePort]: String(served.port) }));
    ready(store, pf);
  });
  afterAll(async () => {
    pf?.stop();
    await served?.stop();
    store?.cleanup();
  });
}

describePostfix.each([
  { name: 'SMTP relay', lmtp: false, readmePort: '2525' },
  { name: 'LMTP', lmtp: true, readmePort: '2424' },
])('Postfix → $name → casegate serve', ({ name, lmtp, readmePort }) => {
  let store: Store;
  let pf: PostfixInstance;
  relayedTo(name, lmtp, readmePort, {}, (s, p) => ((store = s), (pf = p)));

  it('a reply from the case contact: status=sent, and the comment is stored', async () => {
    scenario = `${name}: reply`;
    const [d] = await through(pf, mail({ from: ANN }), { from: ANN, to: [store.caseAddress] });
    expect(d).toMatchObject({ status: 'sent', dsn: '2.6.0', detail: expect.stringMatching(/250 2\.6\.0 added to case 00001001/) });
    expect(await emailComments(store)).toBe(1);
  });

  it('a refused sender: status=bounced 5.7.1, nothing stored, the inbound log says why', async () => {
    scenario = `${name}: refused sender`;
    const before = await emailComments(store);
    const [d] = await through(pf, mail({ from: EVE }), { from: EVE, to: [store.caseAddress] });
    expect(d).toMatchObject({ status: 'bounced', dsn: '5.7.1', detail: expect.stringMatching(/550 5\.7\.1 this sender may not reply here/) });
    expect(d!.detail).not.toMatch(/case \d{8}|ann@|eve@/); // a quiet refusal: no case number, no person
    expect(await emailComments(store)).toBe(before);
    expect(await lastInbound(store)).toMatchObject({ decision: 'refused', reason: expect.stringMatching(/^550 5\.7\.1 this sender may not reply here/) });
  });

  it('an unknown address: status=bounced 5.1.1, nothing stored', async () => {
    scenario = `${name}: unknown address`;
    const before = await cases(store);
    const logRows = await store.read((h) => countRows(h, 'inbound'));
    const [d] = await through(pf, mail({ from: ANN, to: UNKNOWN, subject: 'Hello' }), { from: ANN, to: [UNKNOWN] });
    expect(d).toMatchObject({ status: 'bounced', dsn: '5.1.1', detail: expect.stringMatching(/550 5\.1\.1 <nobody@cases\.localhost>: no such mailbox.*\(in reply to RCPT TO command\)/) });
    expect(await cases(store)).toBe(before);
    // Refused at RCPT TO, the message never reached DATA: no inbound log row (SPEC §4); Postfix's log has the answer.
    expect(await store.read((h) => countRows(h, 'inbound'))).toBe(logRows);
  });

  if (lmtp) {
    it('one message to two case addresses: one answer each, sent for one, bounced for the other', async () => {
      scenario = `${name}: two recipients`;
      const before = await emailComments(store);
      const [good, bad] = await through(pf, mail({ from: ANN }), { from: ANN, to: [store.caseAddress, UNKNOWN] });
      expect(good).toMatchObject({ status: 'sent', detail: expect.stringMatching(/^250 2\.6\.0/) });
      expect(bad).toMatchObject({ status: 'bounced', dsn: '5.1.1' });
      expect(await emailComments(store)).toBe(before + 1);
    });
  }
});

describePostfix.each([
  { name: 'SMTP relay', lmtp: false, readmePort: '2525' },
  { name: 'LMTP', lmtp: true, readmePort: '2424' },
])('Postfix → $name → casegate serve short of disk space', ({ name, lmtp, readmePort }) => {
  let store: Store;
  let pf: PostfixInstance;
  relayedTo(name, lmtp, readmePort, NO_SPACE, (s, p) => ((store = s), (pf = p)));

  it('a temporary failure: status=deferred, nothing stored, and Postfix tries again', async () => {
    scenario = `${name}: no disk space`;
    const [d] = await through(pf, mail({ from: ANN }), { from: ANN, to: [store.caseAddress] });
    expect(d).toMatchObject({ status: 'deferred', detail: expect.stringMatching(/452 4\.3\.1/) });
    pf.flush();
    const again = await pf.waitForDelivery((x) => x.queueId === d!.queueId && x.line !== d!.line);
    logged.push(`[${scenario}, after postqueue -f] ${again.line}`);
    expect(again.status).toBe('deferred');
    expect(await emailComments(store)).toBe(0);
  });
});

describePostfix('Postfix → SMTP relay: a routing address in the company\'s own domain, and recipient verification', () => {
  /** The page's routing address in the company's domain (example.com stays: the test Postfix relays it). */
  const OWN = 'support@example.com';
  let store: Store;
  let served: Served;
  let pf: PostfixInstance;

  beforeAll(async () => {
    requirePostfix();
    store = await newStore();
    await store.read((h) => inTx(h, addRoutingAddress, loadConfig({ db: store.db }), { address: OWN }));
    served = await startServe(store.db, ['--no-dispatch'], { CASEGATE_OUTBOX_DIR: path.join(store.dir, 'outbox') });
    // The people of example.com are not the test's: their mail server is Postfix's discard transport.
    const v = { 'cases.example.com': DOMAIN, '/etc/postfix/': '{conf}/', '2525': String(served.port), 'smtp:[mail.example.com]:25': 'discard:people of example.com' };
    pf = await startPostfix({
      name: 'postfix-own-domain',
      // The test's own speed-up: smtpd looks for the probe's answer every second, not every 3 s.
      main: `${pageConfig('/etc/postfix/main.cf: own domain', v)}\n${pageConfig('/etc/postfix/main.cf: recipient verification', v)}\naddress_verify_poll_delay = 1s`,
      tables: { transport: pageConfig('/etc/postfix/transport: own domain', v) },
    });
  });
  afterAll(async () => {
    pf?.stop();
    await served?.stop();
    store?.cleanup();
  });

  it('mail to the routing address in the company\'s domain goes to casegate (after its probe) and opens a case', async () => {
    scenario = 'own domain: routing address';
    const before = await cases(store);
    const [d] = await through(pf, mail({ from: ANN, to: OWN, subject: 'Toner is low' }), { from: ANN, to: [OWN] });
    expect(d).toMatchObject({ status: 'sent', detail: expect.stringMatching(/250 2\.6\.0 opened case 0000100\d/) });
    expect(await cases(store)).toBe(before + 1);
  });

  it('a case address is verified and delivered', async () => {
    scenario = 'own domain: case address';
    const [d] = await through(pf, mail({ from: ANN }), { from: ANN, to: [store.caseAddress] });
    expect(d).toMatchObject({ status: 'sent', detail: expect.stringMatching(/250 2\.6\.0 added to case/) });
  });

  it('an unknown case address is refused at the sender\'s RCPT TO with 550 5.1.1, and Postfix bounces nothing', async () => {
    scenario = 'recipient verification: unknown address';
    const logRows = await store.read((h) => countRows(h, 'inbound'));
    const r = await sendRaw(pf.port, mail({ from: EVE, to: UNKNOWN, subject: 'Hello' }), { from: EVE, to: [UNKNOWN] });
    expect(r.code, r.response).toBe(550);
    expect(r.response).toMatch(/5\.1\.1 <nobody@cases\.localhost>: Recipient address rejected: undeliverable address/);
    for (const line of pf.log().split('\n').filter((l) => l.includes('NOQUEUE: reject: RCPT'))) logged.push(`[${scenario}: smtpd] ${line.slice(line.indexOf('NOQUEUE'))}`);
    // Postfix asked casegate (its probe is logged as undeliverable) and queued nothing for the
    // address, so no bounce goes to the (possibly forged) sender.
    const probe = (d: Delivery): boolean => d.status === 'undeliverable' || d.status === 'deliverable';
    const probes = pf.deliveries().filter((d) => d.to === UNKNOWN && probe(d));
    expect(probes[0]).toMatchObject({ status: 'undeliverable', detail: expect.stringMatching(/550 5\.1\.1/) });
    logged.push(`[${scenario}: the probe] ${probes[0]!.line}`);
    expect(pf.deliveries().filter((d) => (d.to === UNKNOWN && !probe(d)) || d.to === EVE)).toEqual([]);
    expect(await store.read((h) => countRows(h, 'inbound'))).toBe(logRows);
  });
});

describePostfix('Postfix → pipe → casegate ingest (as another user)', () => {
  let store: Store;
  let pf: PostfixInstance;
  let full: { store: Store; pf: PostfixInstance } | undefined;
  let pipeBin = BIN;
  let mirror: { dir: string; cleanup(): void } | undefined;
  const pipeValues = (s: Store, env = ''): Record<string, string> => ({
    'user=casegate': `user=${PIPE_USER}`,
    // pipe passes no environment: the tests' own setting (no sender authentication, so no test asks
    // the machine's resolver) goes in the same way as any other.
    '/usr/local/bin/casegate': `CASEGATE_SENDER_AUTH=off ${env}${pipeBin}`,
    '/var/lib/casegate/casegate.db': s.db,
  });

  beforeAll(async () => {
    requirePostfix();
    // pipe runs the binary as PIPE_USER: the checkout (dist/, node_modules/) must be readable by it.
    // A checkout under a private folder (/root, 0700) is not: run a linked copy in a temp folder.
    if (!runsAs(PIPE_USER, BIN)) {
      mirror = mirrorCheckout(path.resolve(path.dirname(BIN), '../..'));
      pipeBin = path.join(mirror.dir, 'dist/bin/casegate.js');
      try {
        execFileSync('runuser', ['-u', PIPE_USER, '--', pipeBin, '--help'], { stdio: 'pipe' });
      } catch (err) {
        throw new Error(`${PIPE_USER} cannot run ${pipeBin} (pipe runs casegate as ${PIPE_USER}; it must be readable by it): ${(err as Error).message}`);
      }
    }
    store = await newStore(PIPE_USER);
    pf = await startPostfix(relaySetup('pipe', pipeValues(store)));
  });
  afterAll(async () => {
    pf?.stop();
    full?.pf.stop();
    // `casegate ingest` runs started by pipe finish on their own after postfix stops.
    for (const s of [store, full?.store]) {
      if (!s) continue;
      await waitForProcessesGone(s.db);
      s.cleanup();
    }
    mirror?.cleanup();
  });

  it('casegate ingest --help shows the master.cf line this scenario runs (docs/postfix.md\'s)', async () => {
    const help = await runCli(['ingest', '--help']);
    const words = (text: string): string => text.trim().split(/\s+/).join(' ');
    expect(words(help.stdout)).toContain(words(pageConfig('/etc/postfix/master.cf: pipe')));
    expect(help.stdout).toContain('casegate_destination_recipient_limit = 1');
  });

  it('one message to the case and to the routing address: both sent, a comment and a new case', async () => {
    scenario = 'pipe: two recipients';
    const [toCase, toSupport] = await through(pf, mail({ from: ANN, to: HELP, subject: 'Scanner offline' }), { from: ANN, to: [store.caseAddress, HELP] });
    expect(toCase).toMatchObject({ agent: 'pipe', status: 'sent', relay: 'casegate' });
    expect(toSupport).toMatchObject({ agent: 'pipe', status: 'sent', relay: 'casegate' });
    expect(await emailComments(store)).toBe(1);
    expect(await cases(store)).toBe(2);
  });

  it('a refused sender: exit 77, status=bounced, nothing stored, the inbound log says why', async () => {
    scenario = 'pipe: refused sender';
    const [d] = await through(pf, mail({ from: EVE }), { from: EVE, to: [store.caseAddress] });
    expect(d).toMatchObject({ status: 'bounced', detail: expect.stringMatching(/550 5\.7\.1 this sender may not reply here/) });
    expect(d!.detail).not.toMatch(/case \d{8}|ann@|eve@/); // a quiet refusal: no case number, no person
    expect(await emailComments(store)).toBe(1);
    expect(await lastInbound(store)).toMatchObject({ decision: 'refused', reason: expect.stringMatching(/^550 5\.7\.1/) });
  });

  it('an unknown address: exit 67, status=bounced, nothing stored', async () => {
    scenario = 'pipe: unknown address';
    const [d] = await through(pf, mail({ from: ANN, to: UNKNOWN, subject: 'Hello' }), { from: ANN, to: [UNKNOWN] });
    expect(d).toMatchObject({ status: 'bounced', detail: expect.stringMatching(/550 5\.1\.1/) });
    expect(await cases(store)).toBe(2);
    expect(await lastInbound(store)).toMatchObject({ decision: 'refused', reason: expect.stringMatching(/^550 5\.1\.1 <nobody@cases\.localhost>: no such mailbox/) });
  });

  it('a bounce (empty ${sender}) to a notification\'s VERP address: status=sent, the row turns bounced', async () => {
    scenario = 'pipe: bounce with empty sender';
    const row = await store.read(async (h) => {
      const r = (await query(h, "SELECT id, token FROM outbox WHERE kind = 'case-created' ORDER BY id LIMIT 1"))[0] as { id: number; token: string };
      await inTx(h, markSent, r.id, '250 2.0.0 Ok', Date.now());
      return r;
    });
    const verp = `bounce+${row.token}@${DOMAIN}`;
    const dsn = fs
      .readFileSync(path.resolve(import.meta.dirname, '../../fixtures/bounces/dsn-postfix-user-unknown.eml'), 'utf8')
      .replaceAll('q7w8e9r0t1y2u3i4o5p6a7s8', row.token)
      .replaceAll('carol@gone.example', ANN);
    const [d] = await through(pf, dsn, { from: '', to: [verp] });
    expect(d).toMatchObject({ agent: 'pipe', status: 'sent' });
    expect((await lastInbound(store)).reason).toMatch(/permanent failure 5\.1\.1/);
    expect(await store.read(async (h) => (await query(h, 'SELECT status FROM outbox WHERE id = ?', [row.id]))[0])).toEqual({ status: 'bounced' });
  });

  it('a temporary failure (no disk space): exit 75, status=deferred, nothing stored', async () => {
    scenario = 'pipe: no disk space';
    const s = await newStore(PIPE_USER);
    full = { store: s, pf: await startPostfix(relaySetup('pipe', pipeValues(s, `CASEGATE_MIN_FREE_BYTES=${NO_SPACE.CASEGATE_MIN_FREE_BYTES} `))) };
    const [d] = await through(full.pf, mail({ from: ANN }), { from: ANN, to: [s.caseAddress] });
    expect(d).toMatchObject({ status: 'deferred', detail: expect.stringMatching(/452 4\.3\.1/) });
    expect(await emailComments(s)).toBe(0);
    expect(await lastInbound(s)).toMatchObject({ decision: 'refused', reason: expect.stringMatching(/^452 4\.3\.1 insufficient system storage/) });
  });
});

describePostfix('casegate dispatch → Postfix: refused at RCPT, and bounced later', () => {
  const REFUSED = 'carol@refused.example';
  const GONE = 'dave@gone.example';
  const ERRORED = 'erin@error.example';
  let store: Store;
  let served: Served;
  let pf: PostfixInstance;
  /** The mail server of gone.example, behind Postfix: it refuses Dave at RCPT TO. */
  let remote: CaptureServer;

  beforeAll(async () => {
    requirePostfix();
    store = await newStore();
    remote = await startCaptureServer({ rcpt: (a) => (a === GONE ? { code: 550, message: '5.1.1 <dave@gone.example>: Recipient address rejected: User unknown' } : null) });
    served = await startServe(store.db, ['--no-dispatch'], { CASEGATE_OUTBOX_DIR: path.join(store.dir, 'outbox') });
    pf = await startPostfix(
      relaySetup(
        'SMTP relay',
        { '2525': String(served.port) },
        {
          main: 'smtpd_recipient_restrictions = check_recipient_access hash:{conf}/recipient_access, permit_mynetworks, reject_unauth_destination',
          tables: {
            recipient_access: `${REFUSED}    550 5.1.1 User unknown\n`,
          },
        },
      ),
    );
    // Postfix takes the mail for gone.example; the remote server refuses it, so Postfix bounces it.
    // error.example goes to Postfix's error transport, which smtpd refuses at RCPT TO at once.
    fs.appendFileSync(path.join(pf.conf, 'transport'), `gone.example    smtp:[127.0.0.1]:${remote.port}\nerror.example    error:5.1.1 mailbox unavailable\n`);
    execFileSync('postmap', ['-c', pf.conf, `hash:${path.join(pf.conf, 'transport')}`]);
    execFileSync('postfix', ['-c', pf.conf, 'reload'], { stdio: 'ignore' });
  });
  afterAll(async () => {
    pf?.stop();
    await served?.stop();
    await remote?.close();
    store?.cleanup();
  });

  it('a 5xx at RCPT: failed with Postfix\'s answer; a later bounce: bounced; mail to either is held after', async () => {
    scenario = 'dispatch through Postfix';
    const env = { CASEGATE_SMTP_URL: `smtp://127.0.0.1:${pf.port}`, CASEGATE_OUTBOX_DIR: path.join(store.dir, 'outbox') };
    await store.read(async (h) => {
      const config = loadConfig({ db: store.db });
      await addCollaborator(h, config, store.caseNumber, REFUSED);
      await addCollaborator(h, config, store.caseNumber, GONE);
      await addCollaborator(h, config, store.caseNumber, ERRORED);
    });
    const first = await runCli(['dispatch', '--once'], { db: store.db, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout, (await runCli(['outbox', 'list'], { db: store.db })).stdout).toBe('this run: sent 2, deferred 0 (retried later), failed 2, newly held 0; held in the outbox now: 0\n');

    const failed = (await runCli(['outbox', 'list', '--status', 'failed', '--json'], { db: store.db })).json();
    expect(failed).toEqual([
      expect.objectContaining({ recipient: REFUSED, lastError: expect.stringMatching(/^550 5\.1\.1 <carol@refused\.example>: Recipient address rejected: User unknown$/) }),
      expect.objectContaining({ recipient: ERRORED, lastError: expect.stringMatching(/^550 5\.1\.1 <erin@error\.example>: Recipient address rejected: mailbox unavailable$/) }),
    ]);
    for (const line of pf.log().split('\n').filter((l) => l.includes('NOQUEUE: reject: RCPT'))) logged.push(`[${scenario}: smtpd] ${line.slice(line.indexOf('NOQUEUE'))}`);
    logged.push(...failed.map((r: { recipient: string; lastError: string }) => `[${scenario}: outbox row failed] ${r.recipient}: ${r.lastError}`));

    // Postfix took Dave's message, its next hop refused it, so Postfix bounced it; the DSN goes to
    // the VERP sender, which the relay brings back to casegate serve.
    const gone = await pf.waitForDelivery((d) => d.to === GONE);
    logged.push(`[${scenario}] ${gone.line}`);
    expect(gone).toMatchObject({ status: 'bounced', dsn: '5.1.1', detail: expect.stringMatching(/said: 550 5\.1\.1 <dave@gone\.example>: Recipient address rejected: User unknown/) });
    const dsn = await pf.waitForDelivery((d) => d.to.startsWith('bounce+') && d.to.endsWith(`@${DOMAIN}`));
    logged.push(`[${scenario}: the DSN] ${dsn.line}`);
    expect(dsn).toMatchObject({ status: 'sent', detail: expect.stringMatching(/^250 /) });
    for (const d of pf.deliveries().filter((x) => x.to === ANN)) logged.push(`[${scenario}] ${d.line}`);

    const bounced = (await runCli(['outbox', 'list', '--status', 'bounced', '--json'], { db: store.db })).json();
    expect(bounced).toEqual([expect.objectContaining({ recipient: GONE, envelopeFrom: dsn.to, status: 'bounced' })]);

    // A public comment by Ann: the notifications to the three addresses are held at once.
    const comment = await runCli(['comment', 'add', store.caseNumber, '--as', ANN, '--body', 'Still jammed.'], { db: store.db, env });
    expect(comment.code, comment.stderr).toBe(0);
    const held = (await runCli(['outbox', 'list', '--status', 'held', '--json'], { db: store.db })).json();
    expect(held.map((r: { recipient: string }) => r.recipient).sort()).toEqual([REFUSED, GONE, ERRORED].sort());
    const second = await runCli(['dispatch', '--once'], { db: store.db, env });
    expect(second.stdout).toBe('this run: sent 0, deferred 0 (retried later), failed 0, newly held 0; held in the outbox now: 3 (casegate outbox list --status held)\n');
    // Postfix saw Dave's first message only; Carol and Erin never got past its RCPT TO.
    expect(pf.deliveries().filter((d) => [REFUSED, GONE, ERRORED].includes(d.to))).toHaveLength(1);
  });
});

function runsAs(user: string, bin: string): boolean {
  try {
    execFileSync('runuser', ['-u', user, '--', bin, '--help'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** What the binary needs (dist/, node_modules/, migrations/, package.json), hard-linked (else copied) into a folder anyone can read. */
function mirrorCheckout(root: string): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join('/tmp', 'casegate-pipe-'));
  fs.chmodSync(dir, 0o755);
  for (const part of ['dist', 'node_modules', 'migrations', 'package.json']) {
    try {
      execFileSync('cp', ['-al', path.join(root, part), dir], { stdio: 'pipe' });
    } catch {
      execFileSync('cp', ['-a', path.join(root, part), dir], { stdio: 'pipe' });
    }
  }
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
