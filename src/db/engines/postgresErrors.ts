// What a PostgreSQL failure means for the caller, decided by its cause (never by the text of a
// message where a code exists): the server out of reach is a temporary condition ("unavailable",
// 451 4.3.0 / exit 75 / HTTP 503); a serialization failure or deadlock is worth running the
// transaction again; anything else (a constraint, a bug in our SQL) is the caller's to handle.
import { CasegateError, invalid, OutOfReachError, unavailable } from '../../errors.js';

/** Socket errors of Node: the server cannot be reached, or the connection to it was lost. */
export const SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs (or their two-character classes) of a server that cannot serve now: 08 connection
 * exceptions; 53 insufficient resources (53300 too many connections, 53100 disk full); 57P01 admin
 * shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up); 57014 statement cancelled;
 * 55P03 lock not available; 58030 I/O error.
 */
export const UNAVAILABLE_STATES: ReadonlySet<string> = new Set(['08', '53', '57P01', '57P02', '57P03', '57014', '55P03', '58030']);

/** SQLSTATEs after which the same transaction, run again, may well succeed: serialization failure, deadlock. */
export const RETRY_STATES: ReadonlySet<string> = new Set(['40001', '40P01']);

/**
 * What node-postgres says, without a code, when a connection ends or never starts in time. Matched
 * only on errors that carry no code; each is the whole message, compared exactly.
 */
export const LOST_MESSAGES: ReadonlySet<string> = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Connection terminated',
  'timeout expired',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error and is not queryable',
]);

const codeOf = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** The error and what it wraps (drizzle's query errors, Node's AggregateError of several addresses). */
function* causes(err: unknown, depth = 0): Generator<unknown> {
  if (err === null || err === undefined || depth > 5) return;
  yield err;
  if (err instanceof AggregateError) for (const e of err.errors) yield* causes(e, depth + 1);
  if (err instanceof Error && err.cause !== undefined) yield* causes(err.cause, depth + 1);
}

/** True when the error says the server cannot be reached or the connection was lost. */
export function isUnavailable(err: unknown): boolean {
  for (const e of causes(err)) {
    if (e instanceof CasegateError) return e.kind === 'unavailable';
    const code = codeOf(e);
    if (code !== undefined && (SOCKET_CODES.has(code) || UNAVAILABLE_STATES.has(code) || UNAVAILABLE_STATES.has(code.slice(0, 2)))) return true;
    if (code === undefined && e instanceof Error && LOST_MESSAGES.has(e.message)) return true;
  }
  return false;
}

/** True for a serialization failure or a deadlock: the transaction may be run again. */
export function isRetryable(err: unknown): boolean {
  for (const e of causes(err)) {
    const code = codeOf(e);
    if (code !== undefined && RETRY_STATES.has(code)) return true;
  }
  return false;
}

/** The first message of the error chain, with its code, for a log line. */
function reasonOf(err: unknown): string {
  for (const e of causes(err)) {
    const code = codeOf(e);
    const message = e instanceof Error ? e.message : String(e);
    if (message !== '') return code !== undefined && !message.includes(code) ? `${message} [${code}]` : message;
  }
  return String(err);
}

/** The "unavailable" error for a server out of reach: where, why, and what to do. */
export function outOfReach(location: string, cause: unknown): CasegateError {
  if (cause instanceof CasegateError) return cause;
  const err = new OutOfReachError(
    `PostgreSQL at ${location} is out of reach (${reasonOf(cause)}); nothing was kept: check that the server runs and ` +
      'takes connections from this host (--db or CASEGATE_DB), casegate reconnects by itself',
  );
  err.cause = cause;
  return err;
}

/** The "unavailable" error after a transaction kept failing on deadlocks or serialization failures. */
export function keptConflicting(location: string, tries: number, cause: unknown): CasegateError {
  const err = unavailable(
    `PostgreSQL at ${location} aborted the transaction ${tries} times (${reasonOf(cause)}); nothing was kept: ` +
      'try again in a moment',
  );
  err.cause = cause;
  return err;
}

/**
 * The URL with its password masked (`postgres://casegate:***@db.example:5432/casegate`), also a
 * `password` in its query; safe to print.
 */
export function maskUrl(url: string): string {
  const parsed = parsePostgresUrl(url);
  if (parsed.password !== '') parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass/i.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.toString();
}

/** The URL parsed, or an "invalid" error saying how one is written. */
export function parsePostgresUrl(url: string): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')) {
    throw invalid('the database URL is not a PostgreSQL URL; write postgres://USER:PASSWORD@HOST:5432/DATABASE');
  }
  return parsed;
}
