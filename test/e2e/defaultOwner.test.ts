// A default case owner (CASEGATE_DEFAULT_OWNER) that names no user: `casegate serve` says so when it
// starts, and mail is never refused for it: the case opens without an owner (SPEC §4).
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newTestDb, startServe, type Served, type TestDb } from '../helpers/cli.js';
import { SUPPORT } from '../helpers/seed.js';
import { mail, sendRaw } from '../helpers/smtp.js';

const GHOST = 'ghost@support.example';
const DANA = 'dana@customer.example';

let t: TestDb | undefined;
let served: Served | undefined;
afterEach(async () => {
  await served?.stop();
  t?.cleanup();
  served = t = undefined;
});

describe('a default owner that is not a user', () => {
  it('is a warning when serve starts, and new mail opens a case without an owner', async () => {
    t = await newTestDb();
    const routing = await t.run('routing', 'add', SUPPORT);
    expect(routing.code, routing.stderr).toBe(0);

    served = await startServe(t.db, ['--no-dispatch'], { CASEGATE_DEFAULT_OWNER: GHOST, CASEGATE_OUTBOX_DIR: path.join(t.dir, 'outbox') });
    await vi.waitFor(() => expect(served?.stderr()).toMatch(/^casegate: warning: CASEGATE_DEFAULT_OWNER ghost@support\.example is not a user/m), { timeout: 5_000 });

    const r = await sendRaw(served.port, mail({ from: DANA, to: SUPPORT, subject: 'Toner is empty' }), { from: DANA, to: [SUPPORT] });
    expect(r.code, r.response).toBe(250);
    expect(r.response).toMatch(/opened case 0000100\d/);
    const number = /opened case (\d{8})/.exec(r.response)?.[1];

    const unowned = await t.run('case', 'list', '--unowned', '--json');
    expect(unowned.code, unowned.stderr).toBe(0);
    expect(unowned.json()).toEqual([expect.objectContaining({ number, subject: 'Toner is empty', owner: null })]);
  });
});
