// untilSignal (src/cli/signals.ts): the first SIGTERM or SIGINT stops the command; a second one
// while it stops is ignored; one after the stop finished exits at once (never the signal's default
// action, which would end the process as killed by it); a command that ends by itself removes its
// handlers. Signals are emitted to the process's listeners, process.exit is watched.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { untilSignal } from '../../src/cli/signals.js';

const before = { SIGTERM: process.listeners('SIGTERM'), SIGINT: process.listeners('SIGINT') };
afterEach(() => {
  vi.restoreAllMocks();
  for (const s of ['SIGTERM', 'SIGINT'] as const) {
    for (const l of process.listeners(s)) if (!before[s].includes(l)) process.off(s, l);
  }
});

describe('untilSignal', () => {
  it('stops once on the first signal, ignores one during the stop and exits at once on one after it', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    let finish = (): void => undefined;
    const stop = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const done = untilSignal(stop);
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGINT', 'SIGINT');
    expect(stop).toHaveBeenCalledTimes(1);
    expect(stop).toHaveBeenCalledWith('SIGTERM');
    expect(exit).not.toHaveBeenCalled();
    finish();
    await done;
    // The process winds down now; its handlers are still there, and a signal means "exit now".
    expect(process.listenerCount('SIGTERM')).toBe(before.SIGTERM.length + 1);
    process.emit('SIGTERM', 'SIGTERM');
    expect(exit).toHaveBeenCalledTimes(1);
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('a command that ends by itself resolves without stop and takes its handlers away', async () => {
    const stop = vi.fn(async () => undefined);
    await untilSignal(stop, Promise.resolve('done'));
    expect(stop).not.toHaveBeenCalled();
    expect(process.listenerCount('SIGTERM')).toBe(before.SIGTERM.length);
    expect(process.listenerCount('SIGINT')).toBe(before.SIGINT.length);
  });
});
