// `casegate import mbox FILE | maildir DIR --to ADDRESS`: historic mail brought in as if it had been
// sent to ADDRESS (a routing address or a case address), oldest first, through the same stages as
// live mail, sending nothing. A progress bar on a terminal (count, rate, ETA), plain lines
// otherwise; a summary at the end. Running it again adds nothing (the duplicate rule).
import fs from 'node:fs';
import { Command } from 'commander';
import { withSettings } from '../../config.js';
import { createCommitter } from '../../db/client.js';
import { invalid } from '../../errors.js';
import { applyHeapPolicy } from '../../heapPolicy.js';
import { action, type Context } from '../run.js';
import type { ImportSummary } from '../../import/run.js';

interface ImportOptions {
  to: string;
}

export function importCommand(): Command {
  const cmd = new Command('import').description('bring historic mail in (mbox file or maildir folder) as if sent to a routing or case address; sends nothing');
  const help =
    '\nOldest first (by Date), through the same rules as live mail (sender rules, participants, duplicates),\n' +
    'with no notification and no auto-response. A reply whose In-Reply-To/References names the first\n' +
    'message of an imported case becomes a comment of that case. Sender authentication is not looked up\n' +
    '(historic mail: keys and SPF records have changed since). Running it again adds nothing.';
  for (const kind of ['mbox', 'maildir'] as const) {
    cmd.addCommand(
      new Command(kind)
        .description(kind === 'mbox' ? 'import every message of an mbox file (mboxrd or mboxo, LF or CRLF)' : 'import every message of a maildir (cur/ and new/)')
        .argument(kind === 'mbox' ? '<file>' : '<dir>', kind === 'mbox' ? 'the mbox file' : 'the maildir folder')
        .requiredOption('--to <address>', 'the routing address (or case address) the mail counts as sent to')
        .addHelpText('after', help)
        .action(action((ctx: Context, opts: ImportOptions, [where]: string[]) => runImport(ctx, kind, where as string, opts), printSummary, { before: (_o, [where]) => readable(kind, where) })),
    );
  }
  return cmd;
}

async function runImport(ctx: Context, kind: 'mbox' | 'maildir', where: string, opts: ImportOptions): Promise<ImportSummary> {
  // Thousands of messages, each one's objects short-lived: the collector's settings of serve (src/heapPolicy.ts).
  applyHeapPolicy();
  const { indexMbox, indexMaildir, oldestFirst } = await import('../../import/sources.js');
  const { importMessages } = await import('../../import/run.js');
  const { checkRcpt } = await import('../../ingest/rcpt.js');
  const check = await ctx.read((tx) => checkRcpt(tx, ctx.config, opts.to));
  if (!check.ok || (check.target.kind !== 'routing' && check.target.kind !== 'case')) {
    throw invalid(`--to ${opts.to} is not a routing address or a case address here; add it with "casegate routing add ${opts.to}" or give one from "casegate routing list"`);
  }
  const messages = oldestFirst(kind === 'mbox' ? await indexMbox(where) : indexMaildir(where));
  // Historic mail: what DNS says today says nothing of a message of years ago.
  const config = withSettings(ctx.config, { senderAuth: 'off' });
  const progress = progressReporter(process.stderr);
  const summary = await importMessages({ db: ctx.db, config, committer: createCommitter(ctx.db) }, messages, opts.to, progress.update);
  progress.end();
  return summary;
}

/** A bar redrawn in place on a terminal; a plain line every 10 seconds (and at the end) otherwise. */
function progressReporter(out: NodeJS.WriteStream): { update: (done: number, total: number) => void; end: () => void } {
  const started = Date.now();
  let drawn = 0;
  let last = { done: 0, total: 0 };
  const line = (done: number, total: number): string => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? Math.round((total - done) / rate) : 0;
    return `${done}/${total} messages, ${rate.toFixed(1)} msg/s, ETA ${Math.floor(eta / 60)}m${String(eta % 60).padStart(2, '0')}s`;
  };
  return {
    update(done, total) {
      last = { done, total };
      const now = Date.now();
      if (out.isTTY) {
        if (now - drawn < 100 && done < total) return;
        drawn = now;
        const width = 30;
        const filled = total === 0 ? width : Math.round((done / total) * width);
        out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line(done, total)}\x1b[K`);
      } else if (now - drawn >= 10_000) {
        drawn = now;
        out.write(`casegate: import: ${line(done, total)}\n`);
      }
    },
    end() {
      if (out.isTTY) out.write('\n');
      else out.write(`casegate: import: ${line(last.done, last.total)}\n`);
    },
  };
}

function printSummary(s: ImportSummary): void {
  console.log(`${s.messages} messages: ${s.added} added, ${s.duplicates} duplicates, ${s.dropped} dropped (automatic mail, bounces), ${s.refused} refused`);
  for (const r of s.reasons) console.log(`  ${r.count} × ${r.answer} (first: ${r.first})`);
}

function readable(kind: 'mbox' | 'maildir', where: string | undefined): void {
  try {
    const stat = fs.statSync(where ?? '');
    if (kind === 'mbox' ? !stat.isFile() : !stat.isDirectory()) throw Object.assign(new Error(), { code: kind === 'mbox' ? 'EISDIR' : 'ENOTDIR' });
  } catch (err) {
    throw invalid(`cannot read ${kind} ${where} (${(err as NodeJS.ErrnoException).code}); give ${kind === 'mbox' ? 'an mbox file' : 'a maildir folder (with cur/ and new/)'}`);
  }
}
