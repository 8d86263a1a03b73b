// The garbage collector's settings for the commands that take message after message (serve, import,
// fetch), two V8 flags set once at their start; both take effect while the process runs, in every
// thread of it.
//
// How far the heap may grow between two full collections. V8 sets the next limit to (live bytes ×
// a factor) after each full collection, the factor chosen anew each time between 1.1 and 4.0 from
// how fast the collector ran against how fast the program allocated. Under a steady ingest load it
// picks 4.0 more often than not, and more so on a busy machine: with some 20 MiB live, the old
// generation then grows to 100 MiB and more before it is collected, and peak RSS swings by tens of
// MiB from run to run with no change in what is live (bench row 4a). A fixed factor of 1.3 keeps
// the heap near what is live, at the price of more frequent, incremental full collections (each one
// marks only the live 20 MiB or so).
//
// No allocation-site pretenuring. V8 watches which places in the code allocate objects that
// survive a young-generation collection, and from then on allocates theirs in the old generation
// directly. A message's objects live from its MAIL FROM to its commit, tens of milliseconds,
// about as long as the young generation takes to fill under load: V8 took them for long-lived,
// filled the old generation with the garbage of messages long answered, and only full collections
// freed it. With pretenuring, a 20-session ingest moved 1.1 MiB to the old generation at every
// young collection and ran a full one every ~250 messages; without, 0.3 MiB and one every ~1,000.
// In paired runs the rate rose 1.10-1.20 times with 15-25 % less CPU per message over all threads,
// and peak RSS did not move (bench/README.md, issue 19's sixth pass).
import v8 from 'node:v8';

/** The heap may grow to this many percent above the live bytes before the next full collection. */
export const HEAP_GROWING_PERCENT = 30;

/** The V8 flags applyHeapPolicy sets, unless node was started with its own value of the same flag. */
export const HEAP_POLICY_FLAGS: readonly string[] = [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`, '--no-allocation-site-pretenuring'];

let applied = false;

/** The flag's name without its value or `no-`, dashes for underscores: `--no-a_b=1` -> `a-b`. */
const flagName = (arg: string): string => arg.replace(/^--(no-)?/, '').split('=')[0]?.replace(/_/g, '-') ?? '';

/**
 * Sets HEAP_POLICY_FLAGS in this process, once. A flag that node itself was given (in `execArgv`,
 * either way: `--allocation-site-pretenuring` keeps V8's pretenuring on) is left as given.
 */
export function applyHeapPolicy(execArgv: readonly string[] = process.execArgv): void {
  if (applied) return;
  applied = true;
  const given = new Set(execArgv.filter((a) => a.startsWith('--')).map(flagName));
  for (const flag of HEAP_POLICY_FLAGS) if (!given.has(flagName(flag))) v8.setFlagsFromString(flag);
}
