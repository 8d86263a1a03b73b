// One real peer: swaks (installed by .ci/run) sends a reply to the server over SMTP.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, EVE, countRows } from '../helpers/seed.js';

const run = promisify(execFile);
let gw: Gateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

async function swaks(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run('swaks', args, { timeout: 20_000 });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; message: string };
    if (e.code === 'ENOENT') throw new Error('swaks is not installed: run "apt-get install -y swaks" (.ci/run does)');
    return { code: Number(e.code), out: e.stdout ?? e.message };
  }
}

describe('swaks as the sending client', () => {
  it('gets 250 for the contact and 550 5.7.1 for an outsider', async () => {
    gw = await startGateway();
    const common = ['--server', '127.0.0.1', '--port', String(gw.port), '--to', gw.caseAddress, '--header', 'Subject: Re: printer', '--body', 'Sent with swaks.'];
    const ok = await swaks([...common, '--from', ANN, '--header', `From: Ann Archer <${ANN}>`]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/<- {2}250 2\.6\.0 added to case/);
    expect(ok.out).toMatch(/<- {2}250 SIZE 36700160/);
    const refused = await swaks([...common, '--from', EVE, '--header', `From: <${EVE}>`]);
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(/<\*\* {1}550 5\.7\.1 this sender may not reply here/);
    expect(await countRows(gw.db, 'comments', "source = 'email' AND body = 'Sent with swaks.'")).toBe(1);
  });
});
