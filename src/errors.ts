// Errors that say how to respond. A CasegateError is bad input or a refused action: its message is
// one sentence a person can act on. Anything else is a bug or an outage. Also the maps from error to
// exit code of the CLI: one per kind of caller.
import { EXIT } from './domain/answers.js';

export type ErrorKind = 'invalid' | 'not-found' | 'forbidden' | 'conflict' | 'unavailable';

export class CasegateError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'CasegateError';
  }
}

/**
 * The database cannot be reached (the server is down, a connection was lost): a temporary condition
 * that heals by itself when it is back; mail is answered 451, HTTP 503, pipe mode exits 75.
 */
export class OutOfReachError extends CasegateError {
  constructor(message: string) {
    super('unavailable', message);
    this.name = 'OutOfReachError';
  }
}

export const invalid = (message: string): CasegateError => new CasegateError('invalid', message);
export const notFound = (message: string): CasegateError => new CasegateError('not-found', message);
export const forbidden = (message: string): CasegateError => new CasegateError('forbidden', message);
export const conflict = (message: string): CasegateError => new CasegateError('conflict', message);
export const unavailable = (message: string): CasegateError => new CasegateError('unavailable', message);

/** Settings that cannot be used, one sentence per bad value (thrown by loadConfig). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/**
 * The settings file cannot be used (unreadable, an unknown name, a malformed line): EX_CONFIG (78)
 * for people and relays alike, each problem naming FILE:LINE.
 */
export class SettingsFileError extends ConfigError {
  constructor(problems: string[]) {
    super(problems);
    this.name = 'SettingsFileError';
  }
}

/**
 * The database a command was pointed at does not exist (no SQLite file; a PostgreSQL database
 * without casegate's tables). Only `init` creates one: anything else would show an empty database
 * where the user expects theirs. EX_CONFIG (78) for people; pipe mode exits 75 (see sysexitsOf).
 */
export class NoDatabaseError extends Error {
  constructor(readonly location: string) {
    super(`no casegate database at ${location}; run \`casegate init --db ${location}\` or pass the right --db`);
    this.name = 'NoDatabaseError';
  }
}

/** The input a command was given cannot be read (e.g. the message file of `ingest`). */
export class NoInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoInputError';
  }
}

/** How a command ends on an error: the lines it prints on stderr (after "casegate: ") and its exit code. */
export interface ErrorExit {
  readonly code: number;
  readonly lines: readonly string[];
}

/** A map from error to exit; each command uses one. */
export type ExitCodes = (err: unknown) => ErrorExit;

/**
 * Commands for people: 1 bad input or refused action, 2 a bad setting, 3 outage, 78 (EX_CONFIG) no
 * database or an unusable settings file, 70 a bug.
 */
export function cliExitOf(err: unknown): ErrorExit {
  if (err instanceof NoDatabaseError) return { code: EXIT.CONFIG, lines: [err.message] };
  if (err instanceof SettingsFileError) return { code: EXIT.CONFIG, lines: err.problems };
  if (err instanceof ConfigError) return { code: 2, lines: err.problems };
  if (err instanceof CasegateError) return { code: err.kind === 'unavailable' ? 3 : 1, lines: [err.message] };
  return { code: 70, lines: [`unexpected error: ${(err as Error)?.stack ?? String(err)}`] };
}

/**
 * `serve`: as for people, but the database out of reach at start is EX_TEMPFAIL (75): the process
 * ends with the reason, and its supervisor (systemd Restart=on-failure) starts it again later.
 */
export function serveExitOf(err: unknown): ErrorExit {
  if (err instanceof OutOfReachError) {
    return { code: EXIT.TEMPFAIL, lines: [err.message, 'not started: run serve again when the database is back (systemd: Restart=on-failure does it for you)'] };
  }
  return cliExitOf(err);
}

/**
 * Commands for mail relays (`ingest`): sysexits(3) codes. 66 EX_NOINPUT, 78 EX_CONFIG, and 75
 * EX_TEMPFAIL for anything else, so that the relay keeps the message and tries again. A missing
 * database is 75 too, not 78: Postfix bounces mail on 78 (5.3.5), and a database not there (a wrong
 * --db, a volume not mounted yet) is the admin's to fix while the mail waits in the relay's queue;
 * so is a settings file that cannot be used.
 */
export function sysexitsOf(err: unknown): ErrorExit {
  if (err instanceof NoDatabaseError) return { code: EXIT.TEMPFAIL, lines: [`${err.message} (the relay keeps the message and tries again)`] };
  // A settings file the pipe's user cannot read, or with a typo, is the admin's to fix too: no bounces meanwhile.
  if (err instanceof SettingsFileError) return { code: EXIT.TEMPFAIL, lines: [...err.problems, 'the relay keeps the message and tries again'] };
  if (err instanceof NoInputError) return { code: EXIT.NOINPUT, lines: [err.message] };
  if (err instanceof ConfigError) return { code: EXIT.CONFIG, lines: [err.message] };
  if (err instanceof CasegateError) return { code: EXIT.TEMPFAIL, lines: [err.message] };
  return { code: EXIT.TEMPFAIL, lines: [`temporary failure, nothing was kept: ${(err as Error)?.message ?? String(err)}`] };
}
