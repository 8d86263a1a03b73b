// `casegate ingest`: pipe mode for relays (Postfix `pipe`, procmail…). One message from a file or
// stdin, the envelope from options; the exit code is a sysexits(3) code (SPEC §4).
import fs from 'node:fs';
import { isIP } from 'node:net';
import { Command } from 'commander';
import { createCommitter } from '../../db/client.js';
import type { Outcome } from '../../ingest/pipeline.js';
import { exitCodeForAll, formatAnswer } from '../../domain/answers.js';
import { ConfigError, NoInputError, sysexitsOf } from '../../errors.js';
import { action, type Context } from '../run.js';

interface IngestOptions {
  rcpt: string[];
  mailFrom?: string;
  clientIp?: string;
  helo?: string;
}

export function ingestCommand(): Command {
  return new Command('ingest')
    .description('take one message from FILE or stdin, as if received over SMTP; exit codes follow sysexits(3)')
    .argument('[file]', 'the message (.eml); stdin when omitted')
    .requiredOption('--rcpt <address>', 'envelope recipient (repeat for several; --rcpt=ADDRESS works too)', (v: string, all: string[] | undefined) => [...(all ?? []), v])
    .option('--mail-from <address>', 'envelope sender; "", <> or MAILER-DAEMON (Postfix pipe\'s default null_sender) for the null sender of bounces')
    .option('--client-ip <ip>', "IP address of the SMTP client, for SPF (Postfix: ${client_address}); without it SPF is none")
    .option('--helo <name>', 'HELO/EHLO name of the SMTP client, for SPF (Postfix: ${client_helo})')
    .addHelpText(
      'after',
      `
Exit codes: 0 done (stored, or dropped on purpose), 65 malformed or too large, 67 unknown address,
77 refused sender, 75 temporary failure (try again; also when the message is not read within
CASEGATE_INGEST_TIMEOUT_SECONDS, default 300, and when the database does not exist: the relay keeps
the mail until --db is fixed). One line per recipient on stdout.
When casegate serve runs on the same database, the message is handed to it over its Unix socket
(CASEGATE_INGEST_SOCKET, default NAME.sock beside the SQLite database, e.g. casegate.sock; with
PostgreSQL none unless set) and this process only prints its answers, which keeps a delivery light;
with no gateway answering there (or with --json, or without --mail-from) it ingests the message
itself. The answers and exit codes are the same either way; a gateway that goes away after the
message was sent and before it answered exits 75 (the relay retries; a stored copy is a duplicate).
Postfix master.cf example (write --rcpt=\${recipient} as one word: with several recipients Postfix
repeats the whole word once per recipient; set casegate_destination_recipient_limit = 1 in main.cf
for one answer per recipient; pipe passes almost no environment, so settings go in through
/usr/bin/env NAME=VALUE and the database with --db; pipe will not run as root, so the user owns the
database folder; docs/postfix.md has the whole set-up):
  casegate  unix  -       n       n       -       -       pipe
    flags=Rq user=casegate argv=/usr/bin/env CASEGATE_DOMAIN=cases.example.com /usr/local/bin/casegate --db /var/lib/casegate/casegate.db ingest --mail-from=\${sender} --client-ip=\${client_address} --helo=\${client_helo} --rcpt=\${recipient}`,
    )
    .action(action(runIngest, printOutcomes, { exitCodes: sysexitsOf, before: (_opts, [file]) => readable(file) }));
}

interface IngestResult {
  rcpt: string;
  decision: Outcome['decision'];
  answer: string;
  case: string | null;
  inbound: number;
}

async function runIngest(ctx: Context, opts: IngestOptions, [file]: string[]): Promise<IngestResult[]> {
  const { config, db } = ctx;
  // Loaded here, not at the top, so that admin commands start without the mail libraries.
  const { ingestMessage } = await import('../../ingest/pipeline.js');
  const source = file === undefined ? process.stdin : fs.createReadStream(file);
  const mailFrom = envelopeSender(opts.mailFrom);
  const outcomes = await ingestMessage(
    { db, config, committer: createCommitter(db) },
    { mailFrom, rcpt: opts.rcpt, client: { ip: clientIp(opts.clientIp), helo: opts.helo?.trim() || null } },
    source,
    { readTimeoutMs: config.ingestTimeoutSeconds * 1000 },
  );
  process.exitCode = exitCodeForAll(outcomes.map((o) => o.answer));
  return outcomes.map((o) => ({ rcpt: o.rcpt, decision: o.decision, answer: formatAnswer(o.answer), case: o.caseNumber, inbound: o.inboundId }));
}

/**
 * The envelope sender as SMTP had it. The null sender `<>` of a bounce comes as "" or `<>`, or as
 * a bare `MAILER-DAEMON`: Postfix pipe's ${sender} of the null sender (its default `null_sender`),
 * which is no address (no domain), so nobody's real sender. Null: not given.
 */
function envelopeSender(text: string | undefined): string | null {
  if (text === undefined) return null;
  const address = text.replace(/^<(.*)>$/, '$1');
  return address.toUpperCase() === 'MAILER-DAEMON' ? '' : address;
}

/** Postfix passes "unknown" (or nothing) when it has no client address: no IP then. */
function clientIp(text: string | undefined): string | null {
  const ip = text?.trim().replace(/^\[(.*)\]$/, '$1').replace(/^ipv6:/i, '') ?? '';
  if (ip === '' || ip.toLowerCase() === 'unknown') return null;
  if (isIP(ip) === 0) throw new ConfigError([`--client-ip "${text}" is not an IP address; give the SMTP client's address, e.g. 192.0.2.10, or leave it out`]);
  return ip;
}

function printOutcomes(results: IngestResult[]): void {
  for (const r of results) console.log(`${r.rcpt}: ${r.answer}`);
}

/** A message file that cannot be read ends the command (sysexits EX_NOINPUT, 66) before the database is opened. */
function readable(file: string | undefined): void {
  if (file === undefined) return;
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    throw new NoInputError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code}); give a readable message file, or the message on stdin`);
  }
}

