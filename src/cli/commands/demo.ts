// `casegate demo`.
import { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { printJson } from '../output.js';
import { reportError } from '../run.js';

export function demoCommand(): Command {
  return new Command('demo')
    .description('a scripted round trip on a throwaway database: case, reply over SMTP, notifications')
    .option('--keep', 'keep the throwaway folder (database and .eml files) and print where it is')
    .action(async (opts: { keep?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals() as { json?: boolean };
      try {
        const { runDemo } = await import('../../demo.js');
        const result = await runDemo(loadConfig({}), globals.json ? () => {} : (line) => console.log(line), opts.keep === true);
        if (globals.json) printJson(result);
        else if (opts.keep) console.log(`kept ${result.dir}`);
      } catch (err) {
        reportError(err);
      }
    });
}
