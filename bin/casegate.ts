#!/usr/bin/env node
import { buildProgram } from '../src/cli/program.js';

// `casegate inbound list | head`: a reader that goes away is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

await (await buildProgram(process.argv)).parseAsync(process.argv);
