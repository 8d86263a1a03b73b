// The `casegate` command: global options and one sub-command per noun (src/cli/commands/<noun>.ts).
import fs from 'node:fs';
import { Command } from 'commander';
import { packageRoot } from '../db/migrations.js';
import { commands } from './commands/index.js';

/**
 * The program for `argv` (process.argv): with the sub-command it names, or every sub-command when it
 * names none or one we do not know (the help lists them all; a typo gets commander's suggestion).
 */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('casegate')
    .description('Email-to-case gateway: turns support mail into cases and comments, and sends every participant their own copy.')
    .option('--db <path|url>', 'SQLite database file, or a postgres://USER:PASSWORD@HOST:5432/DB URL (env CASEGATE_DB)', undefined)
    .option('--config <file>', 'settings file of KEY = value lines (env CASEGATE_CONFIG; default casegate.conf beside the SQLite database)')
    .option('--json', 'print results as JSON')
    .version(packageVersion(), '-V, --version', 'print the version of casegate')
    .addHelpText(
      'after',
      `
Settings come from flags, then environment variables, then the settings file (--config FILE, else
CASEGATE_CONFIG, else casegate.conf beside the SQLite database; same names, KEY = value lines), then
defaults; "casegate config" prints each with its source. Every command but init refuses a database
that does not exist (exit 78).
  CASEGATE_DB                 SQLite file or postgres:// URL   (./data/casegate.db)
  CASEGATE_BLOB_DIR           folder of attachment contents    (blobs/ beside the SQLite file; with PostgreSQL none:
                              contents in the database; set it only to a folder every node mounts; checked writable at start)
  CASEGATE_DOMAIN             mail domain of case addresses    (cases.localhost)
  CASEGATE_FROM               From of notifications            (support@<domain>)
  CASEGATE_SMTP_URL           outbound relay, smtp://host:port (none: write .eml files)
  CASEGATE_OUTBOX_DIR         folder for .eml files            (outbox/ beside the SQLite file; ./data/outbox with PostgreSQL)
  CASEGATE_DEFAULT_OWNER      default case owner (user email)  (none)
  CASEGATE_HOST, CASEGATE_PORT  listen address of serve        (127.0.0.1, 2525)
  CASEGATE_MAX_MESSAGE_BYTES  largest inbound message          (36700160 = 35 MiB)
  CASEGATE_CLOSED_CASE_REPLY  reply to a closed case: reopen, refuse or child (reopen)
  CASEGATE_MAX_RECIPIENTS     recipients per inbound transaction, then 452 (50)
  CASEGATE_MAX_CONNECTIONS    concurrent inbound connections   (200)
  CASEGATE_MAX_CONNECTIONS_PER_IP  connections from one IP     (20)
  CASEGATE_SESSION_SECONDS    longest inbound session          (600)
  CASEGATE_MIN_DATA_RATE      slowest DATA, bytes/s over 10 s  (1024; 0 for none)
  CASEGATE_MAX_UNKNOWN_RECIPIENTS  unknown RCPTs, then 421     (10)
  CASEGATE_MIN_FREE_BYTES     below it new mail gets 452 4.3.1 (1073741824 = 1 GiB; 0 for no check)
  CASEGATE_INGEST_TIMEOUT_SECONDS  ingest reads its message within it, else exit 75 (300)
  CASEGATE_INGEST_SOCKET      where serve takes ingest's messages; off for none (NAME.sock beside the SQLite file;
                              none with PostgreSQL)
  CASEGATE_TLS_KEY, CASEGATE_TLS_CERT  PEM files; with both, inbound STARTTLS (none)
  CASEGATE_RETRY_SCHEDULE     seconds before each delivery retry (60,300,900,3600,14400,43200,86400)
  CASEGATE_DISPATCH_INTERVAL_MS  how often the dispatcher looks for due rows (1000)
  CASEGATE_HTTP_PORT          Web-to-Case and API port (serve --http) (none: no HTTP)
  CASEGATE_HTTP_HOST          listen address of HTTP           (127.0.0.1)
  CASEGATE_PUBLIC_URL         where people open the Help portal (/help); its links start with it
                              (http://HTTP_HOST:HTTP_PORT)
  CASEGATE_SYNC_CONTACTS      API finds or creates the customer's contact: on, off (on)
  CASEGATE_WEB_CREATE_CONTACTS  Web-to-Case creates unknown contacts: on, off (off)
  CASEGATE_WEB_DAILY_LIMIT    Web-to-Case cases per UTC day, then 429 (5000)
  CASEGATE_WEB_RATE_LIMIT     Web-to-Case posts per IP per hour (20)
  CASEGATE_API_RATE_LIMIT     API requests per key per minute  (600)
  CASEGATE_API_MAX_BODY_BYTES largest API body, then 413      (1048576 = 1 MiB)
  CASEGATE_NOTIFY_OWNER       the case owner hears of others' public comments: on, off (on)
  CASEGATE_SENDER_AUTH        SPF/DKIM/DMARC/ARC of inbound mail (enforce): enforce refuses
                              DMARC reject/quarantine failures, record only stores, off looks nothing up
  CASEGATE_DNS_SERVERS        resolvers for it and doctor, ip[:port],...  (the system's)
  CASEGATE_TRUSTED_AUTHSERV_ID  relay whose Authentication-Results is trusted instead (none)
  CASEGATE_DKIM_KEY, CASEGATE_DKIM_SELECTOR  RSA key (PEM file) and selector that DKIM-sign
                              every notification; see "casegate dkim keygen --help" (none: unsigned)
  CASEGATE_MAILBOX_POLL_SECONDS  IMAP mailboxes looked at besides IDLE, or polled without it (60)
  CASEGATE_MAILBOX_RETRY_SCHEDULE  seconds before each new try at an unreachable mailbox (5,30,120,600,1800)
  CASEGATE_LOG_FORMAT         log of serve on stderr: text or json (text on a terminal, else json)
  CASEGATE_PRUNE_INBOUND_DAYS, CASEGATE_PRUNE_OUTBOX_SENT_DAYS  serve prunes the inbound log and sent
                              notifications older than this many days, daily (none: never; see "casegate prune")

Start with:  casegate init && casegate serve   (casegate demo: the whole loop on a throwaway database)`,
    );
  const named = commandNamed(argv.slice(2));
  const wanted = named === undefined ? commands : commands.filter(([name]) => name === named);
  for (const make of await Promise.all(wanted.map(([, load]) => load()))) program.addCommand(make());
  applyEverywhere(program);
  return program;
}

/** The sub-command `args` run: the first word that is not a global option or its value. */
function commandNamed(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--db' || arg === '--config') i += 1;
    else if (!arg.startsWith('-')) return commands.some(([name]) => name === arg) ? arg : undefined;
  }
  return undefined;
}

/** The version in casegate's package.json (read once per process, only to build the program). */
function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(`${packageRoot()}/package.json`, 'utf8')) as { version: string }).version;
}

/** Usage errors of every (sub-)command: `casegate: …` on stderr and exit 64 (EX_USAGE). */
function applyEverywhere(cmd: Command): void {
  cmd.configureOutput({
    outputError: (text, write) => write(`${text.trimEnd().replace(/^error:/, 'casegate:')}; run "casegate ${commandPath(cmd)}--help" for usage\n`),
  });
  cmd.exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 64);
  });
  for (const sub of cmd.commands) applyEverywhere(sub);
}

/** `case create ` for the `create` sub-command of `case`; '' for the program itself. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.length > 0 ? `${names.join(' ')} ` : '';
}
