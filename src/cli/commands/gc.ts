// `casegate gc`: removes what a crash left in the blob store (attachment files that no row names,
// half-written temp files of dead processes) and prints what it freed. `serve` does the same at start.
import { Command, InvalidArgumentError } from 'commander';
import { action, type Context } from '../run.js';

interface GcOptions {
  minAge: number;
}

interface GcResult {
  orphans: number;
  temps: number;
  bytes: number;
}

export function gcCommand(): Command {
  return new Command('gc')
    .description('remove attachment files no message owns (left by a crash or a refused message) and print what was freed')
    .option('--min-age <seconds>', 'keep orphans younger than this: a message in flight may still own them', wholeSeconds, 600)
    .addHelpText('after', '\nSafe while serve runs: a file that a row names, or that is younger than --min-age, is kept.')
    .action(action(runGc, printGc));
}

function wholeSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a whole number of seconds`);
  return Number(value);
}

async function runGc(ctx: Context, opts: GcOptions): Promise<GcResult> {
  const { collectOrphans } = await import('../../app.js');
  return collectOrphans(ctx.db, ctx.config, opts.minAge * 1000);
}

function printGc(r: GcResult): void {
  console.log(`removed ${r.orphans} orphan attachment file${r.orphans === 1 ? '' : 's'} and ${r.temps} temp file${r.temps === 1 ? '' : 's'}, freed ${r.bytes} bytes`);
}
