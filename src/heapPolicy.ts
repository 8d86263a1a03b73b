// How far V8 lets the JavaScript heap grow between two full garbage collections, for the long-running
// gateway (serve). V8 sets the next limit to (live bytes × a factor) after each full collection,
// the factor chosen anew each time between 1.1 and 4.0 from how fast the collector ran against how
// fast the program allocated. Under a steady ingest load it picks 4.0 more often than not, and more
// so on a busy machine: with some 20 MiB live, the old generation then grows to 100 MiB and more
// before it is collected, and peak RSS swings by tens of MiB from run to run with no change in what
// is live (bench row 4a). A fixed factor of 1.3 keeps the heap near what is live, at the price of
// more frequent, incremental full collections (each one marks only the live 20 MiB or so).
import v8 from 'node:v8';

/** The heap may grow to this many percent above the live bytes before the next full collection. */
export const HEAP_GROWING_PERCENT = 30;

let applied = false;

/**
 * Sets the heap growing factor of this process once (a V8 flag, read at every full collection, so it
 * takes effect while the process runs). A `--heap-growing-percent` given to node itself is kept.
 */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  if (applied) return;
  applied = true;
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
