// The PostgreSQL engine (node-postgres): a pool of connections, `?` numbered `$n`, int8 and numeric
// read as JS numbers, booleans as JS booleans, one pooled connection per transaction (READ COMMITTED;
// `read` mode READ ONLY), savepoints inside it. A server out of reach is raised as "unavailable";
// a deadlock or serialization failure runs the transaction again a few times first, so on this
// engine `work` may run more than once: it must do nothing but database work through its `tx`.
// The pool heals by itself: a connection that fails is dropped, the next transaction opens a new one.
// PostgreSQL text cannot hold the NUL character (mail can): in a string parameter it is stored as
// U+FFFD, the replacement character, the same for a value written and a value looked up.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { NoDatabaseError, unavailable, type CasegateError } from '../../errors.js';
import { migrationsFolder, migrationsPending } from '../migrations.js';
import type { Engine, Params, RunResult, Tx, TxMode } from '../engine.js';
import { numbered } from './placeholders.js';
import { isRetryable, isUnavailable, keptConflicting, maskUrl, outOfReach, parsePostgresUrl } from './postgresErrors.js';
import { listenOn, type Listener, type ListenOptions } from './postgresListen.js';

export { notify, type Listener, type ListenOptions } from './postgresListen.js';
export { isRetryable, isUnavailable, maskUrl } from './postgresErrors.js';

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
  /** How long to wait for a connection before the server counts as out of reach (default 5,000 ms). */
  readonly connectTimeoutMs?: number;
  /** Apply pending migrations of migrations/postgres/ while opening (default true). */
  readonly migrate?: boolean;
  /** Refuse a database without casegate's tables (NoDatabaseError) instead of creating them: every command but `init`. */
  readonly mustExist?: boolean;
  /** Told of failures nobody awaits (an idle connection lost, a listener reconnecting), e.g. to log them. */
  readonly onError?: (err: CasegateError) => void;
}

export interface PostgresEngine extends Engine {
  readonly dialect: 'postgres';
  /**
   * Calls `onNotify(payload)` for every NOTIFY on `channel`, on a connection of its own outside the
   * pool that reconnects with backoff when lost (then `onReconnect` runs: notifications sent
   * meanwhile are gone, so look again). Resolves once listening; stopped by `stop()` or `close()`.
   */
  listen(channel: string, onNotify: (payload: string) => void, options?: ListenOptions): Promise<Listener>;
}

const INT8 = 20;
const NUMERIC = 1700;
/** int8 (count(*), bigint times and sizes) and numeric as JS numbers; our values stay below 2^53. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 || oid === NUMERIC ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

const BEGIN: Record<TxMode, string> = {
  write: 'BEGIN ISOLATION LEVEL READ COMMITTED',
  read: 'BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY',
};
/** Tries of a transaction that keeps meeting deadlocks or serialization failures. */
export const CONFLICT_TRIES = 5;
/** Wait before try n+1 (ms): 20, 40, 80, 160 (at most 400), each jittered by ±50 %. */
export const conflictBackoff = (tries: number): number => Math.min(400, 10 * 2 ** tries) * (0.5 + Math.random());
/** Key of the advisory lock held while migrating, so that nodes starting together migrate one at a time. */
export const MIGRATION_LOCK = 7_173_637_271;

/** Opens a pool on `url` and migrates the database; "unavailable" when the server cannot be reached. */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<PostgresEngine> {
  parsePostgresUrl(url);
  const location = maskUrl(url);
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) throw new RangeError(`poolSize must be a whole number of at least 1, not ${poolSize}`);
  const config: pg.ClientConfig = {
    connectionString: url,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    keepAlive: true,
    application_name: 'casegate',
    // A process that stalls inside a transaction (or a node that vanished) must not hold its row locks for long.
    idle_in_transaction_session_timeout: 60_000,
    types,
  };
  const pool = new pg.Pool({ ...config, max: poolSize, idleTimeoutMillis: 10_000 });
  // An idle connection that fails is dropped by the pool; without a listener the error would end the process.
  pool.on('error', (err) => options.onError?.(outOfReach(location, err)));

  const running = new Set<Promise<unknown>>();
  const listeners = new Set<Listener>();
  let closed = false;

  async function connect(): Promise<Checkout> {
    if (closed) throw new Error(`the PostgreSQL engine for ${location} is closed`);
    try {
      return checkout(await pool.connect());
    } catch (err) {
      throw outOfReach(location, err);
    }
  }

  /** A connection inside BEGIN. A pooled one found dead there (the server restarted) is dropped for a new one. */
  async function begin(mode: TxMode): Promise<Checkout> {
    for (let fresh = 0; ; fresh += 1) {
      const c = await connect();
      try {
        await c.client.query(BEGIN[mode]);
        return c;
      } catch (err) {
        c.done(true);
        if (!isUnavailable(err) && c.lost === undefined) throw err;
        if (fresh >= 1) throw outOfReach(location, c.lost ?? err);
      }
    }
  }

  async function once<T>(work: (tx: Tx) => Promise<T>, mode: TxMode): Promise<T> {
    const c = await begin(mode);
    const tx = transactionOn(c.client);
    let broken = false;
    try {
      const result = await work(tx.tx);
      await c.client.query('COMMIT');
      return result;
    } catch (err) {
      if (c.lost === undefined) {
        await c.client.query('ROLLBACK').catch(() => {
          broken = true;
        });
      }
      if (c.lost !== undefined || isUnavailable(err)) throw outOfReach(location, c.lost ?? err);
      throw err;
    } finally {
      tx.finish();
      c.done(broken);
    }
  }

  async function transaction<T>(work: (tx: Tx) => Promise<T>, mode: TxMode = 'write'): Promise<T> {
    const run = (async () => {
      for (let tries = 1; ; tries += 1) {
        try {
          return await once(work, mode);
        } catch (err) {
          if (!isRetryable(err)) throw err;
          if (tries >= CONFLICT_TRIES) throw keptConflicting(location, tries, err);
          await sleep(conflictBackoff(tries));
        }
      }
    })();
    running.add(run);
    try {
      return await run;
    } finally {
      running.delete(run);
    }
  }

  if (options.migrate ?? true) {
    try {
      await migrateLocked(await connect(), location, options.mustExist === true);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  return {
    dialect: 'postgres',
    location,
    transaction,
    async listen(channel, onNotify, listenOptions = {}) {
      if (closed) throw new Error(`the PostgreSQL engine for ${location} is closed`);
      const listener = await listenOn(config, location, channel, onNotify, { onError: options.onError, ...listenOptions });
      listeners.add(listener);
      return {
        stop: async () => {
          listeners.delete(listener);
          await listener.stop();
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...running]);
      await Promise.allSettled([...listeners].map((l) => l.stop()));
      await pool.end();
    },
  };
}

/** Migrates under an advisory lock (another node starting at the same time waits), then releases the client. */
async function migrateLocked(c: Checkout, location: string, mustExist: boolean): Promise<void> {
  const { client } = c;
  try {
    const applied = await appliedMigration(client);
    if (applied === null && mustExist) throw new NoDatabaseError(location);
    // drizzle is loaded, and the lock taken, only when a migration is due: most opens find none.
    if (!migrationsPending('postgres', applied)) return;
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const [{ drizzle }, { migrate }] = await Promise.all([import('drizzle-orm/node-postgres'), import('drizzle-orm/node-postgres/migrator')]);
      await migrate(drizzle({ client }), { migrationsFolder: migrationsFolder('postgres') });
    } finally {
      if (c.lost === undefined) await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    }
  } catch (err) {
    if (err instanceof NoDatabaseError) throw err;
    if (c.lost !== undefined || isUnavailable(err)) throw outOfReach(location, c.lost ?? err);
    throw unavailable(`cannot migrate database ${location}: ${(err as Error).message}; is it a casegate database?`);
  } finally {
    c.done();
  }
}

/** drizzle's record of the newest migration applied (null on a new database). */
async function appliedMigration(client: pg.PoolClient): Promise<string | null> {
  const table = await client.query<{ present: boolean }>(`SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS present`);
  if (table.rows[0]?.present !== true) return null;
  const r = await client.query<{ applied: string | null }>('SELECT max(created_at)::text AS applied FROM drizzle.__drizzle_migrations');
  return r.rows[0]?.applied ?? null;
}

/** A pooled client on loan, with the error that broke its connection, if any. */
interface Checkout {
  readonly client: pg.PoolClient;
  readonly lost: unknown;
  /** Gives the client back; a broken one (or `destroy`) is closed instead of kept. Once only. */
  done(destroy?: boolean): void;
}

function checkout(client: pg.PoolClient): Checkout {
  let lost: unknown;
  let given = false;
  // A checked-out client that loses its connection emits 'error'; unheard, it would end the process.
  const onLost = (err: unknown): void => {
    lost ??= err;
  };
  client.on('error', onLost);
  return {
    client,
    get lost() {
      return lost;
    },
    done(destroy = false) {
      if (given) return;
      given = true;
      client.removeListener('error', onLost);
      client.release(destroy || lost !== undefined ? true : undefined);
    },
  };
}

/** A string as PostgreSQL text can hold it: NUL, which it refuses, as U+FFFD. Anything else as it is. */
export function withoutNul(value: unknown): unknown {
  return typeof value === 'string' && value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
}

/** A `Tx` on one client; `finish()` makes later use an error (a tx lives only as long as its work). */
function transactionOn(client: pg.PoolClient): { tx: Tx; finish(): void } {
  let open = true;
  let savepoints = 0;
  async function query(sql: string, params: Params = []): Promise<pg.QueryResult> {
    if (!open) throw new Error('this transaction is over: use the tx only inside its work');
    const { text, count } = numbered(sql);
    if (count !== params.length) throw new Error(`the SQL has ${count} placeholders but ${params.length} parameters were given: ${sql}`);
    return client.query({ text, values: params.map(withoutNul) });
  }
  const tx: Tx = {
    dialect: 'postgres',
    all: async <R>(sql: string, params?: Params) => (await query(sql, params)).rows as R[],
    get: async <R>(sql: string, params?: Params) => (await query(sql, params)).rows[0] as R | undefined,
    run: async (sql: string, params?: Params): Promise<RunResult> => ({ changes: (await query(sql, params)).rowCount ?? 0 }),
    insert: async (sql: string, params?: Params) => Number((await query(`${sql} RETURNING id`, params)).rows[0]?.id),
    async savepoint<T>(work: (tx: Tx) => Promise<T>, keep?: (result: T) => boolean) {
      savepoints += 1;
      const name = `sp_${savepoints}`;
      await query(`SAVEPOINT ${name}`);
      let result: T;
      try {
        result = await work(tx);
      } catch (err) {
        // When even this fails the connection is gone, and the transaction reports that.
        await query(`ROLLBACK TO SAVEPOINT ${name}`)
          .then(() => query(`RELEASE SAVEPOINT ${name}`))
          .catch(() => undefined);
        throw err;
      }
      const kept = keep === undefined || keep(result);
      if (!kept) await query(`ROLLBACK TO SAVEPOINT ${name}`);
      await query(`RELEASE SAVEPOINT ${name}`);
      return { result, kept };
    },
  };
  return {
    tx,
    finish: () => {
      open = false;
    },
  };
}
