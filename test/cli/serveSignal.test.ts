// `casegate serve` may be told to stop the moment it says it is ready: a service manager or a script
// that waits for "listening on" and then sends SIGTERM gets a graceful stop (exit 0), never a
// process killed by the signal's default action.
import { describe, expect, it } from 'vitest';
import { newTestDb, startServe } from '../helpers/cli.js';

describe('casegate serve and SIGTERM', () => {
  it('stops gracefully on a SIGTERM sent as soon as the ready line arrives (3 starts)', async () => {
    const t = await newTestDb();
    try {
      for (let i = 0; i < 3; i++) {
        const served = await startServe(t.db, ['--no-dispatch']);
        // No await between the line and the signal: the handler must already be in place.
        served.proc.kill('SIGTERM');
        await served.stop();
        expect({ code: served.proc.exitCode, signal: served.proc.signalCode }).toEqual({ code: 0, signal: null });
        expect(served.stdout()).toContain('SIGTERM: stopping');
      }
    } finally {
      t.cleanup();
    }
  });
});
