// The running parts of the gateway, assembled in one place: the database, the committer (group
// commit), the inbound SMTP/LMTP server, the dispatcher, the HTTP server (Web-to-Case and API) when a port is set,
// and the watchers of the IMAP mailboxes. start() starts the SMTP server, the HTTP server, the
// dispatcher, then the mailbox watchers; stop() stops them in reverse order, then closes the
// database if it opened it.
import type { Config } from './config.js';
import { createCommitter, GATEWAY_OPEN, openDb, type Committer, type Db } from './db/client.js';
import { createInboundServer, type InboundServer } from './smtp/server.js';
import { createStoreThread } from './ingest/storeThread.js';
import { createAuthThread } from './ingest/authThread.js';
import { createPipeSocketServer, type PipeSocketServer } from './smtp/pipeSocket.js';
import { createDispatcher, type Dispatcher } from './outbound/dispatcher.js';
import { loadDkimKey } from './outbound/dkim.js';
import type { HttpServer, HttpServerOptions } from './http/server.js';
import type { Transport } from './outbound/transport.js';
import { userByEmail } from './db/users.js';
import type { GarbageReport } from './db/blobStore.js';
import { watchReach } from './db/reach.js';
import type { MailboxWatchers } from './mailbox/watch.js';
import { outboxGauges } from './db/outbox.js';
import { createLog, type Log } from './log.js';
import { createPruner } from './outbound/prune.js';
import { createMetrics, type Metrics } from './metrics.js';
import { applyHeapPolicy } from './heapPolicy.js';

export interface GatewayOptions {
  /** An open database to use (the caller closes it); else the gateway opens `config.db` and closes it on stop(). */
  db?: Db;
  /** Speak LMTP instead of SMTP. */
  lmtp?: boolean;
  /** false: no inbound server (nothing listens). */
  smtp?: boolean;
  /** false: no hand-off socket for `casegate ingest` even when config.ingestSocket is set. */
  ingestSocket?: boolean;
  /** false: no dispatcher (another process sends the outbox). */
  dispatch?: boolean;
  /** The dispatcher's transport, for tests; the configured relay or .eml folder otherwise. */
  transport?: Transport;
  /** false: no HTTP server even when config.httpPort is set. */
  http?: boolean;
  /** false: do not watch the IMAP mailboxes (`casegate mailbox`). */
  mailboxes?: boolean;
  /** Where the mailbox watchers log (default: stderr). */
  mailboxLog?: (line: string) => void;
  /** Clock and request log of the HTTP server, for tests. */
  httpOptions?: Pick<HttpServerOptions, 'now' | 'log'>;
  /** The process's log; one in CASEGATE_LOG_FORMAT on stderr unless given. */
  log?: Log;
  /** Metrics to count into (benchmarks); else a registry of its own when the HTTP server is on. */
  metrics?: Metrics;
  /** Commit SQLite's inbound messages on a store thread (storeThread.ts); CASEGATE_STORE_THREAD by default. */
  storeThread?: boolean;
}

export interface Gateway {
  readonly config: Config;
  readonly db: Db;
  readonly committer: Committer;
  readonly server: InboundServer | null;
  readonly dispatcher: Dispatcher | null;
  /** The Prometheus metrics served at /metrics; null without an HTTP server to serve them. */
  readonly metrics: Metrics | null;
  readonly log: Log;
  /** The HTTP server once started (loaded only when CASEGATE_HTTP_PORT is set); null before or without one. */
  readonly http: HttpServer | null;
  /** Where the HTTP server listens, once started (null without one). */
  readonly httpAddress: { host: string; port: number } | null;
  /** Starts the server, then the dispatcher; resolves with where the server listens (null without one). */
  start(): Promise<{ host: string; port: number } | null>;
  /** Stops the dispatcher, then the server, then closes the database it opened. A second call waits for the first. */
  stop(): Promise<void>;
}

export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  // A DKIM key that cannot sign stops the start before anything is opened (the dispatcher reads it
  // again as it is made; `serve --no-dispatch` is stopped too, like the `dispatch` that sends its mail).
  loadDkimKey(config);
  // A gateway runs for days under load: its heap stays near what is live, and a message's objects
  // are collected young (src/heapPolicy.ts).
  applyHeapPolicy();
  const opened = options.db ?? (await openDb(config.db, { blobDir: config.blobDir ?? undefined, ...GATEWAY_OPEN }));
  const ownDb = options.db === undefined;
  // Every part below goes through this: a database out of reach is said once per outage (SPEC §10).
  const db = watchReach(opened);
  // SQLite behind an inbound server: the write transactions of its messages run on a thread of their own.
  const store = db.dialect === 'sqlite' && options.smtp !== false && (options.storeThread ?? config.storeThread) ? createStoreThread(db, config) : null;
  const committer: Committer = store ?? createCommitter(db);
  // Behind an inbound server: sender authentication (mailauth) runs on a thread of its own (also for the mailbox watchers).
  const authThread = options.smtp !== false && config.authThread && config.senderAuth !== 'off' ? createAuthThread(config) : null;
  const log = options.log ?? createLog(config.logFormat);
  // The HTTP server (Fastify and its plugins, some 20 MiB of code) is loaded only when it is wanted.
  const wantsHttp = options.http !== false && config.httpPort !== null;
  // Metrics are kept only where they can be scraped.
  const metrics = options.metrics ?? (wantsHttp ? createMetrics(() => db.transaction((tx) => outboxGauges(tx), 'read')) : null);
  const counted = metrics === null ? {} : { metrics };
  const dispatcher = options.dispatch === false ? null : createDispatcher({ db, config, transport: options.transport, logger: log, ...counted });
  const server =
    options.smtp === false
      ? null
      : createInboundServer(
          { db, config, committer, authThread, ...counted },
          {
            lmtp: options.lmtp === true,
            reach: db,
            log,
            // New outbox rows come with accepted messages: send them now rather than at the next tick.
            onOutcome: (outcomes) => {
              if (outcomes.some((o) => o.decision === 'accepted')) dispatcher?.nudge();
            },
          },
        );
  // `casegate ingest` hands its message over here when this gateway runs (src/smtp/pipeSocket.ts).
  const socketPath = options.ingestSocket === false || options.smtp === false ? null : config.ingestSocket;
  const pipeSocket: PipeSocketServer | null =
    socketPath === null
      ? null
      : createPipeSocketServer({ db, config, committer, authThread, ...counted }, socketPath, {
          log,
          onOutcome: (outcomes) => {
            if (outcomes.some((o) => o.decision === 'accepted')) dispatcher?.nudge();
          },
        });
  let pipeListening = false;
  let http: HttpServer | null = null;
  let httpAddress: { host: string; port: number } | null = null;
  let stopping: Promise<void> | null = null;
  let watchers: MailboxWatchers | null = null;
  // Daily retention when CASEGATE_PRUNE_INBOUND_DAYS or CASEGATE_PRUNE_OUTBOX_SENT_DAYS is set.
  const pruner = createPruner(db, config, log);

  return {
    config,
    db: opened,
    committer,
    server,
    dispatcher,
    metrics,
    log,
    get http() {
      return http;
    },
    get httpAddress() {
      return httpAddress;
    },
    async start() {
      // What a crash left in the blob store goes before new mail comes in (SPEC §9).
      const freed = await collectOrphans(db, config);
      if (freed.orphans + freed.temps > 0) log.info(describeGarbage(freed), { event: 'gc', ...freed });
      await store?.start();
      let where: { host: string; port: number } | null = null;
      try {
        where = server ? await server.start() : null;
      } catch (err) {
        await store?.stop();
        throw err;
      }
      if (pipeSocket !== null) {
        try {
          await pipeSocket.start();
          pipeListening = true;
        } catch (err) {
          // Only a shortcut: pipe deliveries still work without it (in-process), so the start goes on.
          log.warn(`casegate ingest cannot hand messages to this gateway: ${(err as Error).message}; it ingests them itself`, { event: 'pipe-socket', error: (err as Error).message });
        }
      }
      if (wantsHttp) {
        try {
          const { createHttpServer } = await import('./http/server.js');
          const listeners = (): Record<string, boolean> => ({ ...(server ? { [options.lmtp ? 'lmtp' : 'smtp']: server.listening() } : {}), http: http !== null });
          const ops = metrics === null ? {} : { ops: { metrics, listeners } };
          http = createHttpServer({ db, config }, { logger: log, ...options.httpOptions, ...ops, onQueued: () => dispatcher?.nudge() });
          httpAddress = await http.start();
        } catch (err) {
          if (pipeListening) await pipeSocket?.stop();
          await server?.stop();
          await store?.stop();
          throw err;
        }
      }
      await dispatcher?.start();
      pruner?.start();
      if (options.mailboxes !== false) {
        // Loaded here, not at the top, so that importing the gateway does not load the IMAP client.
        const { createMailboxWatchers } = await import('./mailbox/watch.js');
        watchers = createMailboxWatchers(
          { db, config, committer, authThread },
          {
            log: options.mailboxLog,
            onOutcome: (outcomes) => {
              if (outcomes.some((o) => o.decision === 'accepted')) dispatcher?.nudge();
            },
          },
        );
        watchers.start();
      }
      return where;
    },
    stop() {
      stopping ??= (async () => {
        await watchers?.stop();
        await pruner?.stop();
        await dispatcher?.stop();
        await http?.stop();
        if (pipeListening) await pipeSocket?.stop();
        await server?.stop();
        await authThread?.stop();
        await store?.stop();
        if (ownDb) await db.close();
      })();
      return stopping;
    },
  };
}

/**
 * Settings that name something the database does not have. None of them refuses mail (SPEC §4: a
 * missing setting is never a reason to); `serve` prints each at start so that an admin fixes it.
 */
export async function settingWarnings(db: Db, config: Config): Promise<string[]> {
  const warnings: string[] = [];
  const defaultOwner = config.defaultOwner;
  if (defaultOwner !== null && (await db.transaction((tx) => userByEmail(tx, defaultOwner), 'read')) === undefined) {
    warnings.push(
      `CASEGATE_DEFAULT_OWNER ${config.defaultOwner} is not a user, so cases no rule assigns are opened without an owner ` +
        `(see "casegate case list --unowned"); create it with "casegate user create --email ${config.defaultOwner} --name NAME"`,
    );
  }
  return warnings;
}

/**
 * Removes what a crash or a delete left in the blob store: contents no row names (files, or chunks
 * in the database) and temp or spool files of dead processes. An orphan younger than `minAgeMs`
 * (default: one session bound, the longest a message of a live session can be in flight) is left
 * for the next run.
 */
export function collectOrphans(db: Db, config: Config, minAgeMs = config.sessionSeconds * 1000): Promise<GarbageReport> {
  return db.blobs.collectGarbage(minAgeMs);
}

export function describeGarbage(r: GarbageReport): string {
  return `removed ${r.orphans} orphan attachment file${r.orphans === 1 ? '' : 's'} and ${r.temps} temp file${r.temps === 1 ? '' : 's'}, freed ${r.bytes} bytes`;
}
