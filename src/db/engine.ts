// The storage engine interface: open, transaction, query, close. Two implementations,
// engines/sqlite.ts (better-sqlite3, the embedded default) and engines/postgres.ts (pg, for more
// than one machine). Every table function in src/db/ takes the `Tx` it runs in as its first
// argument; nothing joins a transaction by itself.
//
// SQL text is written once with `?` placeholders in the order of `params`; the PostgreSQL engine
// numbers them `$1…$n`. Where the dialects really differ (locks, dates, upserts that need it), a
// table module asks `tx.dialect`.

export type Dialect = 'sqlite' | 'postgres';

/** Positional parameters, one per `?` of the SQL text. Booleans are bound as 0/1. */
export type Params = readonly unknown[];

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  readonly changes: number;
}

/** A connection inside one transaction. Valid only until the transaction's work settles. */
export interface Tx {
  readonly dialect: Dialect;
  /** Every row of a query. */
  all<R>(sql: string, params?: Params): Promise<R[]>;
  /** The first row of a query, or undefined. */
  get<R>(sql: string, params?: Params): Promise<R | undefined>;
  /** A statement whose rows are not wanted. */
  run(sql: string, params?: Params): Promise<RunResult>;
  /**
   * Inserts one row into a table with an `id` column and gives the id generated for it. Write the
   * INSERT without RETURNING: SQLite reads its last insert rowid (a RETURNING inside a savepoint
   * costs it a statement journal, some four times the insert), PostgreSQL appends `RETURNING id`.
   */
  insert(sql: string, params?: Params): Promise<number>;
  /**
   * Runs `work` in a savepoint and keeps what it wrote only when `keep(result)` says so (always
   * when `keep` is absent); otherwise the savepoint is rolled back and the result still returned.
   * An error rolls the savepoint back and is thrown.
   */
  savepoint<T>(work: (tx: Tx) => Promise<T>, keep?: (result: T) => boolean): Promise<{ result: T; kept: boolean }>;
}

/**
 * `write` takes the write lock at the start (SQLite: BEGIN IMMEDIATE, so a writer waits for another
 * process's writer instead of failing halfway); `read` is for work that writes nothing.
 */
export type TxMode = 'write' | 'read';

export interface Engine {
  readonly dialect: Dialect;
  /** Where the data lives, safe to print: the SQLite file, or the URL with its password masked. */
  readonly location: string;
  /**
   * Runs `work` in a transaction of its own and commits when it resolves; an error rolls back and
   * is thrown. Transactions never nest: inside one, use `tx.savepoint`.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>, mode?: TxMode): Promise<T>;
  /** Waits for running transactions, then closes every connection. */
  close(): Promise<void>;
}

/** A flag as read back: SQLite has no boolean (0/1), PostgreSQL does (true/false). */
export const bool = (value: unknown): boolean => value === 1 || value === true;

/**
 * `fn` of each item, one after another: a transaction runs one statement at a time (PostgreSQL's
 * client queues concurrent ones today and will refuse them in pg 9), so per-row reads are awaited in turn.
 */
export async function mapInTurn<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}

/** How many values one `IN (…)` list or multi-row VALUES takes at most (far below either engine's limit of parameters). */
export const IN_LIST = 500;

/** `n` placeholders for an `IN (…)` list or a row of VALUES: `?, ?, ?`. */
export const inList = (n: number): string => new Array<string>(n).fill('?').join(', ');

/** `items` in pieces of at most `size`, in order. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
