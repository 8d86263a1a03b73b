// `casegate trace MESSAGE-ID|CASE`: what happened to a message, or to the mail of a case.
import { Command } from 'commander';
import { action } from '../run.js';
import { trace, type Trace } from '../../views/trace.js';

function printTrace(t: Trace): void {
  for (const s of t.steps) console.log(`${(s.at ?? '-').padEnd(24)}  ${s.step.padEnd(9)}  ${s.text}`);
}

export function traceCommand(): Command {
  return new Command('trace')
    .description(
      'the path of a message in order: received (from, to), the decision and why, the comment or case it made, each notification and its delivery (sent, retrying, failed, held, bounced); for a case, all of its mail, changes and comments in time order',
    )
    .argument('<message-id|case>', 'a Message-ID (angle brackets optional): of a message received, or of one of our notifications; or a case number')
    .addHelpText('after', '\nExamples:\n  casegate trace "<CAF1234@mail.example>"\n  casegate trace 00001001 --json')
    .action(action<object, Trace>((ctx, _o, [ref]) => ctx.read((tx) => trace(tx, ref as string, ctx.config.domain)), (t) => printTrace(t)));
}
