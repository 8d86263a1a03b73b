// Signals, handled once for every long-running command: SIGTERM or SIGINT runs `stop` (which stops
// the running parts in reverse order of start) and the command then ends with exit code 0.

type Signal = 'SIGTERM' | 'SIGINT';
const SIGNALS: readonly Signal[] = ['SIGTERM', 'SIGINT'];

/**
 * Resolves after SIGTERM or SIGINT arrived and `stop` finished. A second signal while `stop` runs is
 * ignored; one after it finished ends the process at once with its exit code so far (everything is
 * stopped: a double Ctrl-C or a repeated SIGTERM, from a supervisor or a script, then means "exit
 * now", never death by the signal's default action). The handlers stay for that; they keep no
 * process alive. The command then exits at once when it is done (run.ts, exitWhenDone): left to
 * drain, node closes the handlers while it tears the process down, and a signal then met the
 * default. With `work`, resolves as well when the work settles (a command that ends by
 * itself, e.g. `dispatch --once`), without calling `stop`; the handlers are removed then.
 */
export function untilSignal(stop: (signal: Signal) => Promise<void>, work?: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let stopping = false;
    let stopped = false;
    const off = (): void => {
      for (const s of SIGNALS) process.off(s, onSignal);
    };
    function onSignal(signal: Signal): void {
      if (stopped) process.exit();
      if (stopping) return;
      stopping = true;
      stop(signal)
        .finally(() => (stopped = true))
        .then(resolve, reject);
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
