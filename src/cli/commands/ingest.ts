// `casegate ingest`: pipe mode for relays (Postfix `pipe`, procmail…). One message from a file or
// stdin, the envelope from options; the exit code is a sysexits(3) code (SPEC §4).
import fs from 'node:fs';
import { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { openDb, type Db } from '../../db/client.js';
import { createCommitter } from '../../ingest/commit.js';
import { EXIT, exitCodeForAll, formatAnswer } from '../../domain/answers.js';
import { CasegateError } from '../../errors.js';
import { ConfigError } from '../../config.js';
import { printJson } from '../output.js';

interface IngestOptions {
  rcpt: string[];
  mailFrom?: string;
}

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('take one message from FILE or stdin, as if received over SMTP; exit codes follow sysexits(3)')
    .argument('[file]', 'the message (.eml); stdin when omitted')
    .requiredOption('--rcpt <address>', 'envelope recipient (repeat for several)', (v: string, all: string[] | undefined) => [...(all ?? []), v])
    .option('--mail-from <address>', 'envelope sender; "" or <> for the null sender of bounces')
    .addHelpText(
      'after',
      `
Exit codes: 0 done (stored, or dropped on purpose), 65 malformed or too large, 67 unknown address,
77 refused sender, 75 temporary failure (try again). One line per recipient on stdout.
Postfix master.cf example:
  casegate unix - n n - - pipe flags=Rq user=casegate argv=/usr/bin/env casegate ingest --mail-from \${sender} --rcpt \${recipient}`,
    )
    .action(async (file: string | undefined, opts: IngestOptions, command: Command) => {
      const globals = command.optsWithGlobals() as { db?: string; json?: boolean };
      let db: Db | undefined;
      try {
        const config = loadConfig({ db: globals.db });
        if (file !== undefined) readable(file);
        const { ingestMessage } = await import('../../ingest/pipeline.js');
        db = openDb(config.db);
        const source = file === undefined ? process.stdin : fs.createReadStream(file);
        const mailFrom = opts.mailFrom === undefined ? null : opts.mailFrom.replace(/^<(.*)>$/, '$1');
        let bytes = 0;
        source.on('data', (chunk: Buffer) => (bytes += chunk.length));
        const outcomes = await ingestMessage(
          { db, config, committer: createCommitter(db) },
          { mailFrom, rcpt: opts.rcpt },
          source,
          { oversize: () => bytes > config.maxMessageBytes },
        );
        if (globals.json) {
          printJson(outcomes.map((o) => ({ rcpt: o.rcpt, decision: o.decision, answer: formatAnswer(o.answer), case: o.caseNumber, inbound: o.inboundId })));
        } else {
          for (const o of outcomes) console.log(`${o.rcpt}: ${formatAnswer(o.answer)}`);
        }
        process.exitCode = exitCodeForAll(outcomes.map((o) => o.answer));
      } catch (err) {
        if (err instanceof NoInput) {
          process.stderr.write(`casegate: ${err.message}\n`);
          process.exitCode = EXIT.NOINPUT;
        } else if (err instanceof ConfigError || err instanceof CasegateError) {
          process.stderr.write(`casegate: ${err.message}\n`);
          process.exitCode = err instanceof ConfigError ? EXIT.CONFIG : EXIT.TEMPFAIL;
        } else {
          process.stderr.write(`casegate: temporary failure, nothing was kept: ${(err as Error)?.message ?? String(err)}\n`);
          process.exitCode = EXIT.TEMPFAIL;
        }
      } finally {
        db?.close();
      }
    });
}

/** The message file cannot be read (sysexits EX_NOINPUT, 66). */
class NoInput extends Error {}

function readable(file: string): void {
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    throw new NoInput(`cannot read ${file} (${(err as NodeJS.ErrnoException).code}); give a readable message file, or the message on stdin`);
  }
}
