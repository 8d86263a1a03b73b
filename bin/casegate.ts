#!/usr/bin/env -S node --v8-pool-size=1
// One V8 background thread instead of four (the shebang above; `env -S` passes node its flags). The
// gateway's garbage collection and compiles need no more, and on a small machine four of them took
// turns on the cores with the thread that answers sockets: `serve` measured 1.13 times the ingest
// rate with 11 % less CPU per message (bench/README.md). bench/child.ts starts its server children
// with the flags written here, so the benchmarks measure the gateway as this file runs it.

// `casegate inbound list | head`: a reader that goes away is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// A pipe delivery goes to the running gateway when there is one (src/cli/ingestHandOff.ts): before
// the program is built, so that it loads nearly nothing.
const handedOff = process.argv.includes('ingest') ? await (await import('../src/cli/ingestHandOff.js')).handOff(process.argv.slice(2)) : null;
if (handedOff !== null) process.exitCode = handedOff;
else await (await (await import('../src/cli/program.js')).buildProgram(process.argv)).parseAsync(process.argv);
