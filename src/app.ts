// The running parts of the gateway, assembled in one place: the database, the committer (group
// commit), the inbound SMTP/LMTP server and the dispatcher. start() starts the server, then the
// dispatcher; stop() stops them in reverse order, then closes the database if it opened it.
import type { Config } from './config.js';
import { openDb, type Db } from './db/client.js';
import { createCommitter, type Committer } from './ingest/commit.js';
import { createInboundServer, type InboundServer } from './smtp/server.js';
import { createDispatcher, type Dispatcher } from './outbound/dispatcher.js';
import type { Transport } from './outbound/transport.js';

export interface GatewayOptions {
  /** An open database to use (the caller closes it); else the gateway opens `config.db` and closes it on stop(). */
  db?: Db;
  /** Speak LMTP instead of SMTP. */
  lmtp?: boolean;
  /** false: no inbound server (nothing listens). */
  smtp?: boolean;
  /** false: no dispatcher (another process sends the outbox). */
  dispatch?: boolean;
  /** The dispatcher's transport, for tests; the configured relay or .eml folder otherwise. */
  transport?: Transport;
}

export interface Gateway {
  readonly config: Config;
  readonly db: Db;
  readonly committer: Committer;
  readonly server: InboundServer | null;
  readonly dispatcher: Dispatcher | null;
  /** Starts the server, then the dispatcher; resolves with where the server listens (null without one). */
  start(): Promise<{ host: string; port: number } | null>;
  /** Stops the dispatcher, then the server, then closes the database it opened. A second call waits for the first. */
  stop(): Promise<void>;
}

export function createGateway(config: Config, options: GatewayOptions = {}): Gateway {
  const db = options.db ?? openDb(config.db);
  const ownDb = options.db === undefined;
  const committer = createCommitter(db);
  const dispatcher = options.dispatch === false ? null : createDispatcher({ db, config, transport: options.transport });
  const server =
    options.smtp === false
      ? null
      : createInboundServer(
          { db, config, committer },
          {
            lmtp: options.lmtp === true,
            // New outbox rows come with accepted messages: send them now rather than at the next tick.
            onOutcome: (outcomes) => {
              if (outcomes.some((o) => o.decision === 'accepted')) dispatcher?.nudge();
            },
          },
        );
  let stopping: Promise<void> | null = null;

  return {
    config,
    db,
    committer,
    server,
    dispatcher,
    async start() {
      const where = server ? await server.start() : null;
      dispatcher?.start();
      return where;
    },
    stop() {
      stopping ??= (async () => {
        await dispatcher?.stop();
        await server?.stop();
        if (ownDb) db.close();
      })();
      return stopping;
    },
  };
}
