// `casegate comment add`.
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { action } from '../run.js';
import { requireCase } from '../../cases/find.js';
import { commentRequest, type AttachmentSource } from '../../cases/request.js';
import { invalid } from '../../errors.js';
import { commentAddedView } from '../../views/case.js';

interface CommentOptions {
  as: string;
  body?: string;
  file?: string;
  attach: string[];
  internal?: boolean;
}

export function commentCommand(): Command {
  const cmd = new Command('comment').description('write comments on cases');
  cmd
    .command('add')
    .description('add a comment; a public one is emailed to every participant but its author')
    .argument('<number>', 'case number')
    .requiredOption('--as <email>', 'author: a user (agent), or the case contact or a collaborator')
    .option('--body <text>', 'the comment text')
    .option('--file <path>', 'read the comment text from a file')
    .option('--attach <path>', 'attach a file (repeat for several)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--internal', 'internal note: not emailed to anyone (users only)')
    .addHelpText('after', '\nExample:\n  casegate comment add 00001001 --as agent@support.example --body "A technician is on the way." --attach report.pdf')
    .action(
      action(
        async (ctx, o: CommentOptions, [n]) => {
          const row = await ctx.read((tx) => requireCase(tx, n as string));
          if ((o.body === undefined) === (o.file === undefined)) {
            throw invalid('the comment text comes from exactly one of --body TEXT or --file F; give one of them');
          }
          const body = o.body ?? readText(o.file as string);
          const attachments = o.attach.map(attachmentFile);
          const now = Date.now();
          const c = await commentRequest(ctx.db, ctx.config, row, { as: o.as, body, internal: o.internal === true, attachments }, now);
          return commentAddedView(row.number, c, { body, source: 'cli', internal: o.internal === true }, now);
        },
        (r) => console.log(`comment ${r.id} added to case ${r.case}${r.internal ? ' (internal)' : ''}`),
      ),
    );
  return cmd;
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw invalid(`cannot read ${file}: ${(err as Error).message}; give a readable text file with --file`);
  }
}

function attachmentFile(file: string): AttachmentSource {
  try {
    if (!fs.statSync(file).isFile()) throw new Error('not a file');
  } catch (err) {
    throw invalid(`cannot read attachment ${file}: ${(err as Error).message}; give a readable file with --attach`);
  }
  return { filename: path.basename(file), contentType: contentTypeOf(file), open: () => fs.createReadStream(file) };
}

const TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.zip': 'application/zip',
  '.html': 'text/html',
};

function contentTypeOf(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}
