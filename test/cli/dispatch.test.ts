// `casegate dispatch --once`: the summary tells what this run did apart from what is held in the
// outbox, including rows held when they were written (no dispatcher ever claims those).
import { afterEach, describe, expect, it } from 'vitest';
import { startCaptureServer, type CaptureServer } from '../helpers/capture.js';
import { useTestDb, okJson } from '../helpers/cli.js';

const GONE = 'carol@gone.example';
let relay: CaptureServer | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

describe('casegate dispatch --once reports this run and the held rows', () => {
  const db = useTestDb();

  it('counts rows held at enqueue as held in the outbox, not as held by this run', async () => {
    const t = db();
    relay = await startCaptureServer({
      rcpt: (address) => (address === GONE ? { code: 550, message: '5.1.1 <carol@gone.example>: Recipient address rejected: User unknown' } : null),
    });
    const env = { CASEGATE_SMTP_URL: relay.url };
    expect((await t.run('contact', 'create', '--email', 'ann@acme.example', '--first', 'Ann', '--last', 'Archer')).code).toBe(0);
    expect((await t.run('user', 'create', '--email', 'sam@support.example', '--name', 'Sam')).code).toBe(0);
    const c = await okJson(t, 'case', 'create', '--subject', 'Printer jammed', '--contact', 'ann@acme.example', '--owner', 'sam@support.example');
    expect((await t.run('collaborator', 'add', c.number, GONE)).code).toBe(0);

    // Ann's notification goes out; Carol's address is refused at RCPT TO: failed, and hard-bouncing.
    const first = await t.runWith(['dispatch', '--once'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('this run: sent 1, deferred 0 (retried later), failed 1, newly held 0; held in the outbox now: 0\n');

    // Two comments: each notification to Carol is held the moment it is written.
    for (const body of ['A technician is on the way.', 'Fixed.']) {
      expect((await t.run('comment', 'add', c.number, '--as', 'sam@support.example', '--body', body)).code).toBe(0);
    }
    const held = await okJson(t, 'outbox', 'list', '--status', 'held');
    expect(held.map((r: { recipient: string }) => r.recipient)).toEqual([GONE, GONE]);

    const second = await t.runWith(['dispatch', '--once'], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(
      'this run: sent 2, deferred 0 (retried later), failed 0, newly held 0; held in the outbox now: 2 (casegate outbox list --status held)\n',
    );
    const json = await t.runWith(['dispatch', '--once', '--json'], { env });
    expect(json.json()).toEqual({ sent: 0, retried: 0, failed: 0, held: 0, heldInOutbox: 2 });
    expect(relay.received.map((r) => r.rcptTo)).toEqual([['ann@acme.example'], ['ann@acme.example'], ['ann@acme.example']]);
  });
});
