// The shape of a migrated database, read from the database itself (SQLite's pragmas, PostgreSQL's
// catalogs) and written the same way for both engines so that two shapes can be compared with
// toEqual: tables, columns (kind, nullability, default, generated id), primary keys, unique and
// other indexes (columns or expressions, partial WHERE), foreign keys. Used by schemas.test.ts.
import type Database from 'better-sqlite3';
import type pg from 'pg';

export interface ColumnShape {
  /** `integer` (SQLite integer; PostgreSQL integer, bigint, boolean), `text`, or the type as named. */
  readonly kind: string;
  readonly notNull: boolean;
  /** Normalised: no casts, no quotes, false/true as 0/1; null when none. */
  readonly default: string | null;
  /** Filled in by the database from a sequence (SQLite AUTOINCREMENT, PostgreSQL identity). */
  readonly generated: boolean;
}

export interface IndexShape {
  readonly unique: boolean;
  /** Column names and expressions, normalised. */
  readonly columns: readonly string[];
  /** The WHERE of a partial index, normalised; null when it covers every row. */
  readonly where: string | null;
}

export interface TableShape {
  readonly columns: Record<string, ColumnShape>;
  primaryKey: string[];
  /** By name; primary-key indexes are not here but in primaryKey. */
  readonly indexes: Record<string, IndexShape>;
  /** `column -> table(column)`, sorted. */
  readonly foreignKeys: string[];
}

export type SchemaShape = Record<string, TableShape>;

const KINDS: Record<string, string> = { integer: 'integer', bigint: 'integer', boolean: 'integer', text: 'text' };

/** A default, an index expression or a WHERE, written one way: `''::text` → ``, `false` → `0`, `("a")` → `a`. */
export function normalise(sql: string): string {
  const s = sql
    .replace(/::[a-z ]+(\[\])?/gi, '')
    .replace(/[`"()]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  const unquoted = /^'(.*)'$/s.exec(s)?.[1] ?? s;
  return unquoted === 'false' ? '0' : unquoted === 'true' ? '1' : unquoted;
}

/** The comma-separated parts of `text` at parenthesis depth 0. */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')') depth -= 1;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts;
}

/** Columns and WHERE of a `CREATE [UNIQUE] INDEX name ON table (…) [WHERE …]` statement. */
function parseCreateIndex(sql: string): { columns: string[]; where: string | null } {
  const open = sql.indexOf('(', sql.search(/\sON\s/i));
  let depth = 0;
  let close = open;
  for (; close < sql.length; close += 1) {
    if (sql[close] === '(') depth += 1;
    else if (sql[close] === ')' && --depth === 0) break;
  }
  const where = /\sWHERE\s(.*)$/is.exec(sql.slice(close + 1))?.[1];
  return { columns: topLevelParts(sql.slice(open + 1, close)).map(normalise), where: where === undefined ? null : normalise(where) };
}

/** The shape of a SQLite database (tables other than SQLite's own and the migrations journal). */
export function sqliteShape(db: Database.Database): SchemaShape {
  const shape: SchemaShape = {};
  const tables = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '__drizzle_migrations'")
    .all() as Array<{ name: string; sql: string }>;
  for (const { name, sql } of tables) {
    const info = db.pragma(`table_info("${name}")`) as Array<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>;
    const autoincrement = /AUTOINCREMENT/i.test(sql);
    const columns: Record<string, ColumnShape> = {};
    for (const c of info) {
      const generated = autoincrement && c.pk === 1;
      columns[c.name] = {
        kind: KINDS[c.type.toLowerCase()] ?? c.type.toLowerCase(),
        notNull: c.notnull === 1 || c.pk > 0,
        default: c.dflt_value === null ? null : normalise(c.dflt_value),
        generated,
      };
    }
    const indexes: Record<string, IndexShape> = {};
    for (const ix of db.pragma(`index_list("${name}")`) as Array<{ name: string; unique: number; origin: string }>) {
      if (ix.origin === 'pk') continue;
      const created = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").get(ix.name) as { sql: string | null } | undefined;
      if (created?.sql) indexes[ix.name] = { unique: ix.unique === 1, ...parseCreateIndex(created.sql) };
      else {
        const cols = (db.pragma(`index_info("${ix.name}")`) as Array<{ name: string }>).map((c) => c.name);
        indexes[ix.name] = { unique: ix.unique === 1, columns: cols, where: null };
      }
    }
    const foreignKeys = (db.pragma(`foreign_key_list("${name}")`) as Array<{ table: string; from: string; to: string }>)
      .map((fk) => `${fk.from} -> ${fk.table}(${fk.to})`)
      .sort();
    const primaryKey = info
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    shape[name] = { columns, primaryKey, indexes, foreignKeys };
  }
  return shape;
}

/** The shape of the `public` schema of a PostgreSQL database. */
export async function postgresShape(client: pg.Client): Promise<SchemaShape> {
  const shape: SchemaShape = {};
  const columns = await client.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string; column_default: string | null; is_identity: string }>(
    "SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
  );
  for (const c of columns.rows) {
    const table = (shape[c.table_name] ??= { columns: {}, primaryKey: [], indexes: {}, foreignKeys: [] });
    table.columns[c.column_name] = {
      kind: KINDS[c.data_type] ?? c.data_type,
      notNull: c.is_nullable === 'NO',
      default: c.column_default === null ? null : normalise(c.column_default),
      generated: c.is_identity === 'YES',
    };
  }
  const indexes = await client.query<{ table_name: string; name: string; unique: boolean; primary: boolean; columns: string[]; where: string | null }>(
    `SELECT t.relname AS table_name, i.relname AS name, x.indisunique AS unique, x.indisprimary AS primary,
            array(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts) AS k ORDER BY k) AS columns,
            pg_get_expr(x.indpred, x.indrelid) AS where
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'public'`,
  );
  for (const ix of indexes.rows) {
    const table = shape[ix.table_name];
    if (table === undefined) continue;
    if (ix.primary) table.primaryKey = ix.columns.map(normalise);
    else table.indexes[ix.name] = { unique: ix.unique, columns: ix.columns.map(normalise), where: ix.where === null ? null : normalise(ix.where) };
  }
  const fks = await client.query<{ table_name: string; fk: string }>(
    `SELECT c.conrelid::regclass::text AS table_name,
            a.attname || ' -> ' || c.confrelid::regclass::text || '(' || f.attname || ')' AS fk
       FROM pg_constraint c
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
       JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = ANY (c.confkey)
      WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`,
  );
  for (const { table_name, fk } of fks.rows) {
    const table = shape[table_name.replace(/"/g, '')];
    if (table !== undefined) table.foreignKeys.push(fk);
  }
  for (const table of Object.values(shape)) table.foreignKeys.sort();
  return shape;
}
