// `casegate serve`: the inbound SMTP (or LMTP) server, with the dispatcher unless --no-dispatch.
// Runs until SIGTERM or SIGINT, then stops the dispatcher and the server in reverse order of start.
import { Command } from 'commander';
import { GATEWAY_OPEN } from '../../db/client.js';
import { serveExitOf } from '../../errors.js';
import { action, type Context } from '../run.js';
import { untilSignal } from '../signals.js';

interface ServeOptions {
  host?: string;
  port?: string;
  lmtp?: boolean;
  dispatch: boolean;
  mailboxes: boolean;
  http?: string;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('take inbound mail over SMTP (or LMTP) and from the IMAP mailboxes, and send notifications until stopped (SIGTERM/SIGINT)')
    .option('--host <host>', 'listen address (env CASEGATE_HOST, default 127.0.0.1)')
    .option('--port <port>', 'listen port, 0 for any free port (env CASEGATE_PORT, default 2525)')
    .option('--lmtp', 'speak LMTP (one answer per recipient), e.g. behind Postfix lmtp: transport')
    .option('--http <port>', 'also serve Web-to-Case, the Help portal (/help), the API (/api/v1) and /metrics, /healthz, /readyz on this port, 0 for any (env CASEGATE_HTTP_PORT; host CASEGATE_HTTP_HOST, default 127.0.0.1)')
    .option('--no-dispatch', 'do not send notifications from this process (run "casegate dispatch" instead)')
    .option('--no-mailboxes', 'do not fetch from the IMAP mailboxes in this process (run "casegate fetch" instead)')
    .addHelpText(
      'after',
      '\nPrints one line "listening on HOST:PORT" when ready. Notifications go to CASEGATE_SMTP_URL,\nor without it into .eml files in CASEGATE_OUTBOX_DIR (outbox/ beside the database). Every mailbox of\n"casegate mailbox list" is watched (IMAP IDLE; polled every CASEGATE_MAILBOX_POLL_SECONDS, 60).\n' +
        'With CASEGATE_PRUNE_INBOUND_DAYS or CASEGATE_PRUNE_OUTBOX_SENT_DAYS set, old rows are pruned daily (see "casegate prune --help").\n' +
        '"casegate ingest" on the same database hands its messages to this process over the Unix socket\nCASEGATE_INGEST_SOCKET (default NAME.sock beside the SQLite database, mode 0600; off for none).\n' +
        'Exits 78 (EX_CONFIG) when the database does not exist (run "casegate init" first), 75 (EX_TEMPFAIL)\n' +
        'when it is out of reach at start; once running, an outage is\n' +
        'answered 451 (SMTP/LMTP) and 503 (HTTP) until the database is back, without a restart.',
    )
    .action(action(runServe, undefined, { exitCodes: serveExitOf, open: GATEWAY_OPEN, exitWhenDone: true }));
}

async function runServe(ctx: Context, opts: ServeOptions): Promise<void> {
  const { config } = ctx;
  // Loaded here, not at the top, so that admin commands start without the mail libraries.
  const { createGateway, settingWarnings } = await import('../../app.js');
  for (const warning of await settingWarnings(ctx.db, config)) process.stderr.write(`casegate: warning: ${warning}\n`);
  const gateway = await createGateway(config, { db: ctx.db, lmtp: opts.lmtp === true, dispatch: opts.dispatch, mailboxes: opts.mailboxes });
  // A server that cannot listen throws here, before anything else started; the database is the caller's.
  const where = (await gateway.start()) ?? { host: config.host, port: config.port };
  // The signal handlers go in before the ready line: whoever reads that line may send SIGTERM at once.
  const stopped = untilSignal(async (signal) => {
    console.log(`${signal}: stopping`);
    await gateway.stop();
  });
  console.log(
    `listening on ${where.host}:${where.port} (${opts.lmtp ? 'LMTP' : 'SMTP'}, domain ${config.domain}, database ${ctx.db.location}, ` +
      `${gateway.dispatcher ? `notifications to ${config.smtpUrl ?? config.outboxDir}` : 'no dispatcher'})`,
  );
  if (gateway.httpAddress) {
    const { host, port } = gateway.httpAddress;
    console.log(`http listening on ${host}:${port} (Web-to-Case at http://${host}:${port}/web-to-case, API at /api/v1, OpenAPI at /api/v1/openapi.json)`);
  }
  await stopped;
}
