// smtp-server wiring only: envelope in, pipeline outcome out as reply codes. SMTP, or LMTP with
// one answer per recipient. AUTH is off; STARTTLS only with a configured key and certificate.
import fs from 'node:fs';
import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { DATA_RATE_WINDOW_SECONDS } from '../config.js';
import { checkFreeSpace, ingestMessage, type IngestContext, type Outcome } from '../ingest/pipeline.js';
import { checkRcpt } from '../ingest/rcpt.js';
import { answerForAll, answers, EXIT, formatAnswer, isTaken, type Answer } from '../domain/answers.js';
import { OutOfReachError } from '../errors.js';
import type { Log } from '../log.js';

export interface InboundServer {
  start(): Promise<{ host: string; port: number }>;
  /** Stops taking connections and waits for the open sessions to finish. */
  stop(): Promise<void>;
  /** True while the server accepts connections (readiness). */
  listening(): boolean;
}

export interface ServerOptions {
  lmtp?: boolean;
  host?: string;
  port?: number;
  /** Called with each transaction's outcomes, after the answer is decided (for logging). */
  onOutcome?: (outcomes: Outcome[]) => void;
  /** The window of the minimum DATA rate, in milliseconds (DATA_RATE_WINDOW_SECONDS; shorter in tests). */
  dataRateWindowMs?: number;
  /**
   * Whether the database is out of reach (src/db/reach.ts): while it is, MAIL FROM asks it once
   * and answers 451 when it still does not answer, before the client sends any data.
   */
  reach?: { readonly outOfReach: boolean; probe(): Promise<boolean> };
  /** One event per transaction (session, client, envelope, answer, case, ms); none when absent. */
  log?: Log;
}

/** What the server keeps of one open session (SPEC §9 limits). */
interface SessionState {
  readonly ip: string;
  readonly closed: () => void;
  readonly timer: NodeJS.Timeout;
  unknownRecipients: number;
}

/** The part of smtp-server's connection object used to close a session from our side. */
interface Connection {
  readonly id: string;
  send(code: number, text: string): void;
}

/** An error smtp-server sends as it is: our text carries its own enhanced status code. */
function replyError(a: Answer): Error & { responseCode: number } {
  return Object.assign(new Error(`${a.enhanced} ${a.text}`), { responseCode: a.code });
}

export function createInboundServer(p: IngestContext, options: ServerOptions = {}): InboundServer {
  const { config } = p;
  const tls = config.tlsKey && config.tlsCert ? { key: fs.readFileSync(config.tlsKey), cert: fs.readFileSync(config.tlsCert) } : null;
  // Open sessions: for the group commit (it commits at once when every one is waiting for it) and
  // the limits of SPEC §9 (connections per IP, session length, unknown recipients).
  const sessions = new Map<string, SessionState>();
  const perIp = new Map<string, number>();
  const windowMs = options.dataRateWindowMs ?? DATA_RATE_WINDOW_SECONDS * 1000;

  /** Sends a 421 answer and closes the session (smtp-server closes after any 421). */
  const disconnect = (sessionId: string, a: Answer): void => {
    for (const c of server.connections as Set<Connection>) {
      if (c.id === sessionId) c.send(a.code, `${a.enhanced} ${a.text}`);
    }
  };
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
      const ip = session.remoteAddress;
      const open = perIp.get(ip) ?? 0;
      if (open >= config.maxConnectionsPerIp) return callback(replyError(answers.tooManyFromAddress(config.maxConnectionsPerIp)));
      perIp.set(ip, open + 1);
      const timer = setTimeout(() => disconnect(session.id, answers.sessionTooLong(config.sessionSeconds)), config.sessionSeconds * 1000);
      timer.unref();
      sessions.set(session.id, { ip, closed: p.committer.connection(), timer, unknownRecipients: 0 });
      callback();
    },
    onClose(session) {
      const state = sessions.get(session.id);
      if (state === undefined) return; // refused in onConnect
      sessions.delete(session.id);
      clearTimeout(state.timer);
      state.closed();
      const left = (perIp.get(state.ip) ?? 1) - 1;
      if (left > 0) perIp.set(state.ip, left);
      else perIp.delete(state.ip);
    },
    onMailFrom(_address, _session, callback) {
      let low: Answer | null;
      try {
        low = checkFreeSpace(p);
      } catch {
        return callback(replyError(answers.storeFailed()));
      }
      if (low !== null) return callback(replyError(low));
      const reach = options.reach;
      if (reach === undefined || !reach.outOfReach) return callback();
      reach.probe().then(
        (up) => callback(up ? undefined : replyError(answers.cannotTakeMailNow())),
        () => callback(replyError(answers.cannotTakeMailNow())),
      );
    },
    onRcptTo(address, session: SMTPServerSession, callback) {
      if (session.envelope.rcptTo.length >= config.maxRecipients) {
        return callback(replyError(answers.tooManyRecipients(config.maxRecipients)));
      }
      p.db.transaction((tx) => checkRcpt(tx, config, address.address), 'read').then(
        (check) => {
          if (check.ok) return callback();
          const state = sessions.get(session.id);
          if (state !== undefined && check.answer.sysexit === EXIT.NOUSER && ++state.unknownRecipients >= config.maxUnknownRecipients) {
            // The guess that reaches the limit is answered 421 and the connection closes.
            return callback(replyError(answers.tooManyUnknownRecipients(config.maxUnknownRecipients)));
          }
          callback(replyError(check.answer));
        },
        () => callback(replyError(answers.recipientCheckFailed())),
      );
    },
    onData(stream, session, callback) {
      if (config.minDataRate > 0) watchDataRate(stream, config.minDataRate, windowMs, () => disconnect(session.id, answers.dataTooSlow(config.minDataRate)));
      const envelope = {
        mailFrom: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
        rcpt: session.envelope.rcptTo.map((r) => r.address),
        // SPF checks the client that connected. Over LMTP that is the local MTA, not the sender's
        // server: nothing is known of the client then (SPF none; a trusted relay's header counts).
        client: options.lmtp === true ? { ip: null, helo: null } : { ip: session.remoteAddress, helo: session.hostNameAppearsAs || null },
      };
      // From the end of DATA to the answer (casegate_ingest_seconds); the transaction's length for the log.
      const started = performance.now();
      let ended = started;
      stream.once('end', () => (ended = performance.now()));
      const answered = (said: readonly Answer[], cases: readonly (string | null)[]): void => {
        const at = performance.now();
        p.metrics?.answered((at - ended) / 1000);
        logTransaction(options.log, { session, envelope, lmtp: options.lmtp === true, answers: said, cases, ms: at - started });
      };
      // SIZE is advertised (and a too large MAIL FROM SIZE= refused) by smtp-server; the limit on
      // the bytes themselves is the parser's (src/ingest/parse.ts), the one place that counts them.
      ingestMessage(p, envelope, stream, { perRecipient: options.lmtp === true })
        .then((outcomes) => {
          options.onOutcome?.(outcomes);
          const cases = outcomes.map((o) => o.caseNumber);
          if (options.lmtp) {
            answered(outcomes.map((o) => o.answer), cases);
            callback(null, outcomes.map((o) => (isTaken(o.answer) ? formatAnswer(o.answer).slice(4) : replyError(o.answer))) as unknown as string);
            return;
          }
          const a = answerForAll(outcomes.map((o) => o.answer));
          answered([a], cases);
          if (isTaken(a)) callback(null, `${a.enhanced} ${a.text}`);
          else callback(replyError(a));
        })
        .catch((err: unknown) => {
          stream.resume();
          // The database out of reach is said once per outage (src/db/reach.ts), not once per message.
          const why = (err as Error)?.message ?? String(err);
          if (!(err instanceof OutOfReachError)) {
            if (options.log) options.log.error(`could not store a message, answered 451: ${why}`, { event: 'store-failed', session: session.id, error: why });
            else console.error(`casegate: could not store a message, answered 451: ${why}`);
          }
          answered([answers.storeFailed()], []);
          callback(replyError(answers.storeFailed()));
        });
    },
  });
  server.on('error', (err) => console.error(`casegate: smtp server error: ${err.message}`));

  server.server.prependListener('connection', repliesTogether);

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
    listening: () => server.server.listening,
  };
}

/**
 * The replies to what one read brought leave in one write, when the event loop next turns: a
 * pipelining client sends MAIL, RCPT and DATA together, and smtp-server answers each with a write
 * of its own (a system call and a wakeup of the client each). Socket writes were the largest single
 * item of serve's profile under load; held together: 1.03 times the ingest rate, 4 % less CPU per
 * message. The 250 after a commit comes later, on its own. A STARTTLS reply held so still goes out
 * in plain text before the handshake (test/e2e/starttls.test.ts): the TLS socket takes over the
 * same handle.
 */
function repliesTogether(socket: Socket): void {
  let corked = false;
  // One function per connection, not one per read.
  const release = (): void => {
    corked = false;
    socket.uncork();
  };
  socket.on('data', () => {
    if (corked) return;
    corked = true;
    socket.cork();
    setImmediate(release);
  });
}

/**
 * One event per SMTP/LMTP transaction: session id, client address, envelope, answer(s), case
 * numbers and milliseconds. Never the message itself: no header, no body.
 */
function logTransaction(
  log: Log | undefined,
  t: { session: SMTPServerSession; envelope: { mailFrom: string; rcpt: string[] }; lmtp: boolean; answers: readonly Answer[]; cases: readonly (string | null)[]; ms: number },
): void {
  if (log === undefined) return;
  const said = t.answers.map(formatAnswer);
  const cases = [...new Set(t.cases.filter((c): c is string => c !== null))];
  const ms = Math.round(t.ms * 10) / 10;
  const protocol = t.lmtp ? 'lmtp' : 'smtp';
  log.info(`${protocol} ${t.session.id} from ${t.session.remoteAddress} <${t.envelope.mailFrom}> to ${t.envelope.rcpt.map((r) => `<${r}>`).join(',')}: ${said.join(' | ')}${cases.length ? ` (case ${cases.join(', ')})` : ''} ${ms}ms`, {
    event: protocol,
    session: t.session.id,
    client: t.session.remoteAddress,
    mailFrom: t.envelope.mailFrom,
    rcpt: t.envelope.rcpt,
    answer: said.length === 1 ? said[0] : said,
    code: t.answers[0]?.code ?? null,
    case: cases.length === 0 ? null : cases.length === 1 ? cases[0] : cases,
    ms,
  });
}

/**
 * Calls `tooSlow` when a window of `windowMs` brings fewer than `bytesPerSecond × window` bytes of
 * DATA while the client still owes us data (SPEC §9: a slow client must not hold a slot). It only
 * counts what passes (a second 'data' listener beside the parser's pipe), so DATA goes through no
 * extra stream. Called in the same turn as the parser is piped, before any data flows.
 */
function watchDataRate(input: NodeJS.ReadableStream, bytesPerSecond: number, windowMs: number, tooSlow: () => void): void {
  let bytes = 0;
  const needed = (bytesPerSecond * windowMs) / 1000;
  const timer = setInterval(() => {
    if (bytes < needed) {
      clearInterval(timer);
      tooSlow();
    }
    bytes = 0;
  }, windowMs);
  timer.unref();
  const stop = (): void => clearInterval(timer);
  input.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  input.once('end', stop);
  input.once('error', stop);
  input.once('close', stop);
}
