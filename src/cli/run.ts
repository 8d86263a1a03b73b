// The frame of every CLI action: read the global options, load the config, open the database,
// run, print (table or --json), close, and turn errors into one line on stderr and an exit code.
import type { Command } from 'commander';
import { loadConfig, ConfigError, type Config } from '../config.js';
import { openDb, type Db } from '../db/client.js';
import { CasegateError } from '../errors.js';
import { printJson } from './output.js';

export interface Context {
  readonly config: Config;
  readonly db: Db;
  readonly json: boolean;
}

interface GlobalOptions {
  db?: string;
  json?: boolean;
  host?: string;
  port?: string;
  leaseSeconds?: string;
}

/**
 * Wraps an action. `fn` gets the command's own options, its positional arguments and the context;
 * what it returns is printed as JSON with --json, else passed to `human` (when given).
 */
export function action<O, R>(
  fn: (ctx: Context, opts: O, args: string[]) => R | Promise<R>,
  human?: (result: Awaited<R>, ctx: Context, opts: O) => void,
): (...args: unknown[]) => Promise<void> {
  return async (...all: unknown[]) => {
    const command = all[all.length - 1] as Command;
    const globals = command.optsWithGlobals() as GlobalOptions;
    const opts = command.opts() as O;
    const positional = all.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a : [a])) as string[];
    let db: Db | undefined;
    try {
      const config = loadConfig({ db: globals.db, host: globals.host, port: globals.port, leaseSeconds: globals.leaseSeconds });
      db = openDb(config.db);
      const ctx: Context = { config, db, json: globals.json === true };
      const result = await fn(ctx, opts, positional);
      if (ctx.json) printJson(result ?? null);
      else if (human) human(result, ctx, opts);
    } catch (err) {
      reportError(err);
    } finally {
      db?.close();
    }
  };
}

/** One line per problem on stderr, exit code 1 for bad input, 2 for configuration, 3 for outages. */
export function reportError(err: unknown): void {
  if (err instanceof ConfigError) {
    for (const p of err.problems) process.stderr.write(`casegate: ${p}\n`);
    process.exitCode = 2;
  } else if (err instanceof CasegateError) {
    process.stderr.write(`casegate: ${err.message}\n`);
    process.exitCode = err.kind === 'unavailable' ? 3 : 1;
  } else {
    process.stderr.write(`casegate: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 70;
  }
}
