// smtp-server wiring only: envelope in, pipeline outcome out as reply codes. SMTP, or LMTP with
// one answer per recipient. AUTH is off; STARTTLS only with a configured key and certificate.
import fs from 'node:fs';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { ingestMessage, type IngestContext, type Outcome } from '../ingest/pipeline.js';
import { checkRcpt } from '../ingest/rcpt.js';
import { answerForAll, answers, formatAnswer, isTaken, type Answer } from '../domain/answers.js';

export interface InboundServer {
  start(): Promise<{ host: string; port: number }>;
  /** Stops taking connections and waits for the open sessions to finish. */
  stop(): Promise<void>;
}

export interface ServerOptions {
  lmtp?: boolean;
  host?: string;
  port?: number;
  /** Called with each transaction's outcomes, after the answer is decided (for logging). */
  onOutcome?: (outcomes: Outcome[]) => void;
}

/** An error smtp-server sends as it is: our text carries its own enhanced status code. */
function replyError(a: Answer): Error & { responseCode: number } {
  return Object.assign(new Error(`${a.enhanced} ${a.text}`), { responseCode: a.code });
}

export function createInboundServer(p: IngestContext, options: ServerOptions = {}): InboundServer {
  const { config } = p;
  const tls = config.tlsKey && config.tlsCert ? { key: fs.readFileSync(config.tlsKey), cert: fs.readFileSync(config.tlsCert) } : null;
  // Open connections, for the group commit: it commits at once when every one is waiting for it.
  const connections = new Map<string, () => void>();
  const server = new SMTPServer({
    lmtp: options.lmtp === true,
    name: config.domain,
    banner: 'casegate',
    size: config.maxMessageBytes,
    authOptional: true,
    disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(tls ?? {}),
    hideENHANCEDSTATUSCODES: true,
    maxClients: config.maxConnections,
    logger: false,
    onConnect(session, callback) {
      connections.set(session.id, p.committer.connection());
      callback();
    },
    onClose(session) {
      connections.get(session.id)?.();
      connections.delete(session.id);
    },
    onRcptTo(address, session: SMTPServerSession, callback) {
      if (session.envelope.rcptTo.length >= config.maxRecipients) {
        return callback(replyError(answers.tooManyRecipients(config.maxRecipients)));
      }
      try {
        const check = checkRcpt(p.db, config, address.address);
        callback(check.ok ? undefined : replyError(check.answer));
      } catch {
        callback(replyError(answers.recipientCheckFailed()));
      }
    },
    onData(source, session, callback) {
      const envelope = {
        mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
        rcpt: session.envelope.rcptTo.map((r) => r.address),
      };
      // SIZE is advertised (and a too large MAIL FROM SIZE= refused) by smtp-server; the limit on
      // the bytes themselves is the parser's (src/ingest/parse.ts), the one place that counts them.
      ingestMessage(p, envelope, source, { perRecipient: options.lmtp === true })
        .then((outcomes) => {
          options.onOutcome?.(outcomes);
          if (options.lmtp) {
            callback(null, outcomes.map((o) => (isTaken(o.answer) ? formatAnswer(o.answer).slice(4) : replyError(o.answer))) as unknown as string);
            return;
          }
          const a = answerForAll(outcomes.map((o) => o.answer));
          if (isTaken(a)) callback(null, `${a.enhanced} ${a.text}`);
          else callback(replyError(a));
        })
        .catch((err: unknown) => {
          source.resume();
          console.error(`casegate: could not store a message, answered 451: ${(err as Error)?.message ?? String(err)}`);
          callback(replyError(answers.storeFailed()));
        });
    },
  });
  server.on('error', (err) => console.error(`casegate: smtp server error: ${err.message}`));

  return {
    start() {
      return new Promise((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.server.once('error', onError);
        server.listen(options.port ?? config.port, options.host ?? config.host, () => {
          server.server.off('error', onError);
          const addr = server.server.address();
          if (addr === null || typeof addr === 'string') return reject(new Error('server has no TCP address'));
          resolve({ host: addr.address, port: addr.port });
        });
      });
    },
    stop() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
