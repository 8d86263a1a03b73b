// The frame of every CLI action: read the options, load the config, open the database, run, print
// (table or --json), close, and turn errors into lines on stderr and an exit code (by the command's
// map from error to exit, src/errors.ts).
import type { Command } from 'commander';
import { loadConfig, type Config, type ConfigFlags } from '../config.js';
import { openDb, type Db, type OpenOptions, type Tx } from '../db/client.js';
import { cliExitOf, type ExitCodes } from '../errors.js';
import { printJson } from './output.js';

export interface Context {
  readonly config: Config;
  readonly db: Db;
  readonly json: boolean;
  /** Runs `work` in a write transaction of its own: the command's unit of work. */
  write<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs `work` in a read-only transaction of its own. */
  read<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

/** Options loadConfig reads: global ones (--db, --json) and those of some commands. */
interface ConfigOptions {
  db?: string;
  config?: string;
  json?: boolean;
  host?: string;
  port?: string;
  leaseSeconds?: string;
  http?: string;
}

export interface ActionOptions<O> {
  /** The map from error to exit code; the one for people (cliExitOf) unless given. */
  exitCodes?: ExitCodes;
  /** Runs after the config is loaded and before the database is opened, e.g. to check an input file. */
  before?: (opts: O, args: string[], config: Config) => void;
  /** Create the database when it does not exist (`init` only); every other command refuses it (exit 78). */
  createDatabase?: boolean;
  /** More options for opening the database (`serve`: GATEWAY_OPEN). */
  open?: Pick<OpenOptions, 'checkpointThread'>;
  /**
   * A command that runs until a signal (serve, dispatch, fetch): once done and the database closed,
   * the process exits at once (process.exit, with its exit code) instead of waiting for its event
   * loop to drain. While node tears a drained process down it closes the signal handlers, and a
   * signal then (a supervisor's second SIGTERM) ended it as killed by that signal (src/cli/signals.ts).
   */
  exitWhenDone?: boolean;
}

/**
 * Wraps an action. `fn` gets the command's own options, its positional arguments and the context;
 * what it returns is printed as JSON with --json, else passed to `human` (when given).
 */
export function action<O, R>(
  fn: (ctx: Context, opts: O, args: string[]) => R | Promise<R>,
  human?: (result: Awaited<R>, ctx: Context, opts: O) => void,
  options: ActionOptions<O> = {},
): (...args: unknown[]) => Promise<void> {
  return async (...all: unknown[]) => {
    const command = all[all.length - 1] as Command;
    const globals = command.optsWithGlobals() as ConfigOptions;
    const opts = command.opts() as O;
    const positional = all.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a : [a])) as string[];
    let db: Db | undefined;
    try {
      const config = loadConfig(configFlags(globals));
      options.before?.(opts, positional, config);
      const opened = await openDb(config.db, { blobDir: config.blobDir ?? undefined, mustExist: options.createDatabase !== true, ...options.open });
      db = opened;
      const ctx: Context = {
        config,
        db: opened,
        json: globals.json === true,
        write: (work) => opened.transaction(work, 'write'),
        read: (work) => opened.transaction(work, 'read'),
      };
      const result = await fn(ctx, opts, positional);
      if (ctx.json) printJson(result ?? null);
      else if (human) human(result, ctx, opts);
    } catch (err) {
      reportError(err, options.exitCodes);
    } finally {
      await db?.close().catch(() => undefined);
    }
    if (options.exitWhenDone === true) process.exit();
  };
}

/** What an action that needs no database gets (`dkim keygen`, `doctor`, which opens it as one of its checks). */
export interface ConfigContext {
  readonly config: Config;
  readonly json: boolean;
}

/** Like action(), without opening the database. */
export function configAction<O, R>(
  fn: (ctx: ConfigContext, opts: O, args: string[]) => R | Promise<R>,
  human?: (result: Awaited<R>, ctx: ConfigContext, opts: O) => void,
): (...args: unknown[]) => Promise<void> {
  return async (...all: unknown[]) => {
    const command = all[all.length - 1] as Command;
    const globals = command.optsWithGlobals() as ConfigOptions;
    const positional = all.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a : [a])) as string[];
    try {
      const ctx: ConfigContext = { config: loadConfig(configFlags(globals)), json: globals.json === true };
      const result = await fn(ctx, command.opts() as O, positional);
      if (ctx.json) printJson(result ?? null);
      else if (human) human(result, ctx, command.opts() as O);
    } catch (err) {
      reportError(err);
    }
  };
}

/** The flags of a command line that loadConfig reads. */
export function configFlags(globals: ConfigOptions): ConfigFlags {
  return { db: globals.db, config: globals.config, host: globals.host, port: globals.port, leaseSeconds: globals.leaseSeconds, http: globals.http };
}

/** The lines of an error on stderr, each after "casegate: ", and its exit code by `exitCodes`. */
export function reportError(err: unknown, exitCodes: ExitCodes = cliExitOf): void {
  const exit = exitCodes(err);
  for (const line of exit.lines) process.stderr.write(`casegate: ${line}\n`);
  process.exitCode = exit.code;
}
