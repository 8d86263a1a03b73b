#!/usr/bin/env node

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
