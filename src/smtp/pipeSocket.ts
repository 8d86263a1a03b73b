// The hand-off socket of pipe mode: `serve` takes the messages of `casegate ingest` on a Unix socket
// (CASEGATE_INGEST_SOCKET), so that a pipe delivery does not load the mail libraries and open the
// database itself (Request Tracker's rt-mailgate and Dovecot's LMTP are the precedent).
//
// The dialect is LMTP with three differences, each to keep pipe mode's semantics exactly:
// - XCLIENT (ADDR, HELO) is trusted: it carries --client-ip and --helo to SPF, as in-process;
// - every RCPT is taken, and the pipeline checks the recipients in the message's transaction, with
//   SMTP's unit of work (several recipients: all or nothing), not LMTP's;
// - each recipient's answer after DATA ends with ` [exit N]`, the sysexits(3) code pipe mode exits
//   with (two answers can share code and enhanced status and differ in it).
// Nothing else listens on the socket; its mode (0600) lets only the database's owner in.
import fs from 'node:fs';
import net from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import { ingestMessage, type IngestContext, type Outcome } from '../ingest/pipeline.js';
import { answers, formatAnswer, isTaken, type Answer } from '../domain/answers.js';
import { OutOfReachError } from '../errors.js';
import type { Log } from '../log.js';

export interface PipeSocketServer {
  /** Listens on the socket (a stale file of a killed server is removed first); resolves with its path. */
  start(): Promise<string>;
  /** Stops taking connections, waits for the open sessions, removes the socket file. */
  stop(): Promise<void>;
}

export interface PipeSocketOptions {
  /** Called with each message's outcomes (the gateway nudges the dispatcher). */
  onOutcome?: (outcomes: Outcome[]) => void;
  log?: Log;
}

/** A recipient's answer on the socket: the answer as pipe mode prints it, then its exit code. */
export function socketReply(a: Answer): string {
  return `${formatAnswer(a)} [exit ${a.sysexit}]`;
}

export function createPipeSocketServer(p: IngestContext, path: string, options: PipeSocketOptions = {}): PipeSocketServer {
  const { config } = p;
  const sessions = new Map<string, () => void>();
  const server = new SMTPServer({
    lmtp: true,
    name: config.domain,
    banner: 'casegate pipe',
    size: config.maxMessageBytes,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideENHANCEDSTATUSCODES: true,
    disableReverseLookup: true,
    useXClient: true,
    logger: false,
    socketTimeout: (config.ingestTimeoutSeconds + 60) * 1000,
    onConnect(session, callback) {
      sessions.set(session.id, p.committer.connection());
      callback();
    },
    onClose(session) {
      sessions.get(session.id)?.();
      sessions.delete(session.id);
    },
    onData(stream, session, callback) {
      const envelope = {
        mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
        rcpt: session.envelope.rcptTo.map((r) => r.address),
        client: clientOf(session),
      };
      const reply = (all: readonly Answer[]): void => {
        callback(null, all.map((a) => (isTaken(a) ? socketReply(a).slice(4) : replyError(a))) as unknown as string);
      };
      ingestMessage(p, envelope, stream, { readTimeoutMs: config.ingestTimeoutSeconds * 1000 })
        .then((outcomes) => {
          options.onOutcome?.(outcomes);
          options.log?.info(`pipe ${session.id} <${envelope.mailFrom}> to ${envelope.rcpt.map((r) => `<${r}>`).join(',')}: ${outcomes.map((o) => formatAnswer(o.answer)).join(' | ')}`, {
            event: 'pipe',
            session: session.id,
            client: envelope.client.ip,
            mailFrom: envelope.mailFrom,
            rcpt: envelope.rcpt,
          });
          reply(outcomes.map((o) => o.answer));
        })
        .catch((err: unknown) => {
          stream.resume();
          const why = (err as Error)?.message ?? String(err);
          if (!(err instanceof OutOfReachError)) options.log?.error(`could not store a piped message, answered 451: ${why}`, { event: 'store-failed', session: session.id, error: why });
          reply(envelope.rcpt.map(() => answers.storeFailed()));
        });
    },
  });
  // The greeting without smtp-server's 100 ms wait for early talkers: the peer is `casegate ingest`
  // of the same user, and a pipe delivery's whole budget is about that long.
  server.connect = function connectAtOnce(socket: net.Socket, socketOptions?: ConstructorParameters<typeof SMTPConnection>[2]) {
    const connection = new SMTPConnection(this, socket, socketOptions);
    this.connections.add(connection);
    connection.on('error', (err: Error) => this.emit('error', err));
    connection._setListeners(() => connection.connectionReady());
  };
  server.on('error', (err) => options.log?.error(`pipe socket error: ${err.message}`, { event: 'pipe-error', error: err.message }));

  return {
    async start() {
      await removeStale(path);
      await new Promise<void>((resolve, reject) => {
        server.server.once('error', reject);
        // Bound with no permission for others from the first moment, then 0600 to be sure.
        const umask = process.umask(0o177);
        try {
          server.listen(path, () => {
            server.server.off('error', reject);
            resolve();
          });
        } finally {
          process.umask(umask);
        }
      });
      fs.chmodSync(path, 0o600);
      return path;
    },
    stop() {
      return new Promise((resolve) =>
        server.close(() => {
          fs.rmSync(path, { force: true });
          resolve();
        }),
      );
    },
  };
}

/** SPF's client as `casegate ingest` passed it with XCLIENT; nothing known without it. */
function clientOf(session: SMTPServerSession): { ip: string | null; helo: string | null } {
  const x = (session as SMTPServerSession & { xClient?: Map<string, string | false> }).xClient;
  const text = (key: string): string | null => {
    const v = x?.get(key);
    return typeof v === 'string' && v !== '' ? v : null;
  };
  return { ip: text('ADDR'), helo: text('HELO') };
}

function replyError(a: Answer): Error & { responseCode: number } {
  return Object.assign(new Error(socketReply(a).slice(4)), { responseCode: a.code });
}

/**
 * A socket file nobody answers on (a killed server's) is removed; one that answers belongs to a
 * running gateway, which keeps it: this start fails with a sentence that says so.
 */
async function removeStale(path: string): Promise<void> {
  if (!fs.existsSync(path)) return;
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`another casegate serve takes pipe deliveries on ${path}; stop it, or set CASEGATE_INGEST_SOCKET to another path (or off)`);
  fs.rmSync(path, { force: true });
}
