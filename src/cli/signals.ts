// Signals, handled once for every long-running command: SIGTERM or SIGINT runs `stop` (which stops
// the running parts in reverse order of start) and the command then ends with exit code 0.

type Signal = 'SIGTERM' | 'SIGINT';
const SIGNALS: readonly Signal[] = ['SIGTERM', 'SIGINT'];

/**
 * Resolves after SIGTERM or SIGINT arrived and `stop` finished; a second signal meanwhile is
 * ignored. With `work`, resolves as well when the work settles (a command that ends by itself,
 * e.g. `dispatch --once`), without calling `stop`. The handlers are removed either way.
 */
export function untilSignal(stop: (signal: Signal) => Promise<void>, work?: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let stopping = false;
    const off = (): void => {
      for (const s of SIGNALS) process.off(s, onSignal);
    };
    function onSignal(signal: Signal): void {
      if (stopping) return;
      stopping = true;
      stop(signal).then(
        () => {
          off();
          resolve();
        },
        (err: unknown) => {
          off();
          reject(err);
        },
      );
    }
    for (const s of SIGNALS) process.on(s, onSignal);
    const settled = (): void => {
      if (stopping) return;
      off();
      resolve();
    };
    work?.then(settled, settled);
  });
}
