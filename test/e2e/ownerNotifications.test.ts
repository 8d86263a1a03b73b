// SPEC §5: the case owner (a user) hears of every public comment someone else writes, through
// their own reply address, and their answer by mail becomes their public comment to the
// participants (CASEGATE_NOTIFY_OWNER, default on). Real SMTP in and out, the real binary for the CLI.
import { afterEach, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, BOB, addCollaborator, countRows, createCase, showCase } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';
import { startCaptureServer, type CaptureServer } from '../helpers/capture.js';
import { runCli } from '../helpers/cli.js';
import { api, startHttp } from '../helpers/http.js';
import { createUser } from '../../src/admin/users.js';
import { createDispatcher, type Dispatcher } from '../../src/outbound/dispatcher.js';
import { createSmtpTransport } from '../../src/outbound/transport.js';
import { inTx, query } from '../helpers/testDb.js';

const SAM = 'sam@support.example';
const TIM = 'tim@support.example';

let gw: Gateway | undefined;
let capture: CaptureServer | undefined;
let dispatcher: Dispatcher | undefined;
afterEach(async () => {
  await dispatcher?.stop();
  await gw?.close();
  await capture?.close();
  gw = capture = dispatcher = undefined;
});

/** A gateway with users Sam and Tim and a case of Ann's owned by Sam, with collaborator Bob. */
async function owned(env: Record<string, string> = {}): Promise<{ g: Gateway; number: string; address: string }> {
  const g = (gw = await startGateway(env));
  await inTx(g.db, createUser, { email: SAM, name: 'Sam Support' });
  await inTx(g.db, createUser, { email: TIM, name: 'Tim Tech' });
  const c = await createCase(g.db, g.config, { subject: 'Badge reader broken', contact: ANN, owner: SAM });
  await addCollaborator(g.db, g.config, c.number, BOB);
  return { g, number: c.number, address: c.address };
}

const ownerRows = (g: Gateway): Promise<number> => countRows(g.db, 'outbox', "kind = 'owner'");
const cli = (g: Gateway, args: string[], env: Record<string, string> = {}) => runCli(args, { db: g.config.db, env });

describe('the owner hears of public comments by others', () => {
  it('one owner row for a comment by mail and by the CLI; none for their own or an internal one; outbox list --kind owner shows them', async () => {
    const { g, number, address } = await owned();
    expect(await ownerRows(g)).toBe(0);
    const r = await g.send(mail({ from: ANN, to: address, body: 'The reader beeps twice.' }), { from: ANN, to: [address] });
    expect(r.code).toBe(250);
    expect(await ownerRows(g)).toBe(1);
    expect((await cli(g, ['comment', 'add', number, '--as', BOB, '--body', 'Same on floor 2.'])).code).toBe(0);
    expect(await ownerRows(g)).toBe(2);
    expect((await cli(g, ['comment', 'add', number, '--as', SAM, '--body', 'A technician is on the way.'])).code).toBe(0);
    expect((await cli(g, ['comment', 'add', number, '--as', TIM, '--body', 'Spare reader in store room.', '--internal'])).code).toBe(0);
    expect(await ownerRows(g)).toBe(2);
    // Sam's own comment went to the participants, and not back to Sam.
    expect(await countRows(g.db, 'outbox', 'recipient = ?', SAM)).toBe(2);

    const listed = (await cli(g, ['outbox', 'list', '--kind', 'owner', '--json'])).json() as Array<Record<string, string>>;
    expect(listed.map((row) => [row.kind, row.recipient, row.case])).toEqual([
      ['owner', SAM, number],
      ['owner', SAM, number],
    ]);
    // Through their own reply address, one for the case.
    expect(listed[0]?.replyTo).toMatch(/^case\+[a-z0-9]{20,}@cases\.localhost$/);
    expect(listed[1]?.replyTo).toBe(listed[0]?.replyTo);
    expect(listed[0]?.replyTo).not.toBe(address);
    const human = await cli(g, ['outbox', 'list', '--kind', 'owner']);
    expect(human.stdout).toMatch(/owner/);
    const bad = await cli(g, ['outbox', 'list', '--kind', 'memo']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/unknown notification kind "memo"; use one of case-created, comment, history, owner/);
  });

  it('none with CASEGATE_NOTIFY_OWNER=off, by mail or by the CLI', async () => {
    const { g, number, address } = await owned({ CASEGATE_NOTIFY_OWNER: 'off' });
    expect((await g.send(mail({ from: ANN, to: address }), { from: ANN, to: [address] })).code).toBe(250);
    expect((await cli(g, ['comment', 'add', number, '--as', BOB, '--body', 'Me too.'], { CASEGATE_NOTIFY_OWNER: 'off' })).code).toBe(0);
    expect(await ownerRows(g)).toBe(0);
    expect(await countRows(g.db, 'outbox', "kind = 'comment'")).toBe(2);
  });

  it('a bad CASEGATE_NOTIFY_OWNER is a clear error, and --help lists the setting', async () => {
    const { g } = await owned();
    const bad = await cli(g, ['case', 'list'], { CASEGATE_NOTIFY_OWNER: 'sometimes' });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('CASEGATE_NOTIFY_OWNER "sometimes" must be on or off');
    expect((await runCli(['--help'])).stdout).toMatch(/CASEGATE_NOTIFY_OWNER +.*\(on\)/);
  });
});

describe('a comment through the API', () => {
  it('tells the owner too, unless the owner wrote it', async () => {
    const h = await startHttp();
    try {
      await inTx(h.db, createUser, { email: SAM, name: 'Sam Support' });
      const c = await createCase(h.db, h.config, { subject: 'Badge reader broken', contact: ANN, owner: SAM });
      expect((await api(h, 'POST', `/api/v1/cases/${c.number}/comments`, { body: { author: ANN, body: 'Still broken.' } })).status).toBe(201);
      expect((await api(h, 'POST', `/api/v1/cases/${c.number}/comments`, { body: { author: SAM, body: 'On it.' } })).status).toBe(201);
      expect((await query(h.db, "SELECT recipient, CASE WHEN comment_id IS NULL THEN 0 ELSE 1 END AS \"hasComment\" FROM outbox WHERE kind = 'owner'"))).toEqual([{ recipient: SAM, hasComment: 1 }]);
    } finally {
      await h.close();
    }
  });
});

describe("the owner's answer by mail", () => {
  it('becomes their public comment, sent to the contact and collaborators only; nobody else may use their address', async () => {
    const { g, number, address } = await owned();
    capture = await startCaptureServer();
    dispatcher = createDispatcher({ db: g.db, config: g.config, transport: createSmtpTransport(capture.url) });
    await dispatcher.runOnce();
    const before = capture.accepted().length;
    await g.send(mail({ from: ANN, to: address, body: 'The reader beeps twice.' }), { from: ANN, to: [address] });
    await dispatcher.runOnce();
    const toSam = capture.accepted().slice(before).find((m) => m.rcptTo[0] === SAM);
    expect(toSam).toBeDefined();
    const note = await simpleParser(toSam!.raw);
    const replyTo = note.replyTo?.value[0]?.address ?? '';
    expect(replyTo).toMatch(/^case\+[a-z0-9]{20,}@cases\.localhost$/);
    expect(note.text).toContain('The reader beeps twice.');
    expect(note.text).toContain(`You own case ${number}`);

    // Bob may not write through Sam's address, nor Sam through the case-level address.
    const bob = await g.send(mail({ from: BOB, to: replyTo, body: 'Bob as Sam.' }), { from: BOB, to: [replyTo] });
    expect(bob.code).toBe(550);
    expect(bob.response).not.toContain(number);
    expect((await g.send(mail({ from: SAM, to: address, body: 'Sam on the case address.' }), { from: SAM, to: [address] })).code).toBe(550);

    const lastRow = async (): Promise<number> => ((await query(g.db, 'SELECT max(id) AS id FROM outbox'))[0] as { id: number }).id;
    const rowsBefore = await lastRow();
    const r = await g.send(mail({ from: `Sam <${SAM.toUpperCase()}>`, to: replyTo, body: 'Please power-cycle the reader.' }), { from: SAM, to: [replyTo] });
    expect(r.response).toContain(`added to case ${number}`);
    const last = (await showCase(g.db, g.config, number)).comments.at(-1);
    expect(last).toMatchObject({ author: SAM, body: 'Please power-cycle the reader.', internal: false });
    expect((await query(g.db, 'SELECT author_name AS name FROM comments ORDER BY id DESC LIMIT 1'))[0]).toEqual({ name: 'Sam Support' });
    const rows = (await query(g.db, 'SELECT kind, recipient FROM outbox WHERE id > ? ORDER BY id', [rowsBefore]));
    expect(rows).toEqual([
      { kind: 'comment', recipient: ANN },
      { kind: 'comment', recipient: BOB },
    ]);

    // Threaded through the owner notification's Message-ID to the system From address: the same.
    const thread = await g.send(mail({ from: SAM, to: g.config.from, subject: 'Re: badge reader', headers: { 'In-Reply-To': note.messageId ?? '' } }), { from: SAM, to: [g.config.from] });
    expect(thread.response).toContain(`added to case ${number}`);
    expect(await countRows(g.db, 'comments', 'author_email = ?', SAM)).toBe(2);
  });
});
