// `casegate serve`: the inbound SMTP (or LMTP) server, with the dispatcher unless --no-dispatch.
// Runs until SIGTERM or SIGINT, then stops the dispatcher and the server in reverse order of start.
import { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { openDb } from '../../db/client.js';
import { createCommitter } from '../../ingest/commit.js';
import type { Dispatcher } from '../../outbound/dispatcher.js';
import { reportError } from '../run.js';

interface ServeOptions {
  host?: string;
  port?: string;
  lmtp?: boolean;
  dispatch: boolean;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('take inbound mail over SMTP (or LMTP) and send notifications until stopped (SIGTERM/SIGINT)')
    .option('--host <host>', 'listen address (env CASEGATE_HOST, default 127.0.0.1)')
    .option('--port <port>', 'listen port, 0 for any free port (env CASEGATE_PORT, default 2525)')
    .option('--lmtp', 'speak LMTP (one answer per recipient), e.g. behind Postfix lmtp: transport')
    .option('--no-dispatch', 'do not send notifications from this process (run "casegate dispatch" instead)')
    .addHelpText(
      'after',
      '\nPrints one line "listening on HOST:PORT" when ready. Notifications go to CASEGATE_SMTP_URL,\nor without it into .eml files in CASEGATE_OUTBOX_DIR (./data/outbox).',
    )
    .action(async (opts: ServeOptions, command: Command) => {
      const globals = command.optsWithGlobals() as { db?: string };
      try {
        const config = loadConfig({ db: globals.db, host: opts.host, port: opts.port });
        // Loaded here, not at the top, so that admin commands start without the mail libraries.
        const { createInboundServer } = await import('../../smtp/server.js');
        const { createDispatcher } = await import('../../outbound/dispatcher.js');
        const db = openDb(config.db);
        const dispatcher: Dispatcher | null = opts.dispatch ? createDispatcher({ db, config }) : null;
        const server = createInboundServer(
          { db, config, committer: createCommitter(db) },
          {
            lmtp: opts.lmtp === true,
            onOutcome: (outcomes) => {
              if (outcomes.some((o) => o.decision === 'accepted')) dispatcher?.nudge();
            },
          },
        );
        const where = await server.start();
        dispatcher?.start();
        console.log(
          `listening on ${where.host}:${where.port} (${opts.lmtp ? 'LMTP' : 'SMTP'}, domain ${config.domain}, database ${config.db}, ` +
            `${dispatcher ? `notifications to ${config.smtpUrl ?? config.outboxDir}` : 'no dispatcher'})`,
        );
        let stopping = false;
        const stop = async (signal: string) => {
          if (stopping) return;
          stopping = true;
          console.log(`${signal}: stopping`);
          await dispatcher?.stop();
          await server.stop();
          db.close();
          process.exit(0);
        };
        process.on('SIGTERM', () => void stop('SIGTERM'));
        process.on('SIGINT', () => void stop('SIGINT'));
      } catch (err) {
        reportError(err);
      }
    });
}
