// The two engines hold the same data model: a fresh SQLite file and a fresh PostgreSQL database,
// each migrated by its own migrations folder, have the same tables, columns, nullability, defaults,
// primary keys, unique constraints, indexes (partial and expression ones included) and foreign keys;
// and the two drizzle schema files give every column the same kind of value. Tables that exist on
// one engine only are listed here, each with its reason.
import path from 'node:path';
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openDb } from '../../src/db/client.js';
import { openPostgres } from '../../src/db/engines/postgres.js';
import * as sqliteSchema from '../../src/db/schema.js';
import * as postgresSchema from '../../src/db/schemaPostgres.js';
import { usePostgres, withClient, type PgCluster } from '../helpers/postgres.js';
import { tempDir, type TempDir } from '../helpers/tempDir.js';
import { postgresShape, sqliteShape, type SchemaShape } from './schemaShape.js';

/** Tables of one engine only. */
const ONLY_POSTGRES: Record<string, string> = {
  blob_contents: 'attachment bytes in the database when no blob folder is shared by every node',
};
const ONLY_SQLITE: Record<string, string> = {};

const without = (shape: SchemaShape, names: Record<string, string>): SchemaShape =>
  Object.fromEntries(Object.entries(shape).filter(([name]) => !(name in names)));

let cluster: PgCluster;
let dir: TempDir;
let sqlite: SchemaShape;
let postgres: SchemaShape;

beforeAll(async () => {
  cluster = await usePostgres();
  dir = tempDir('schemas');
  const file = path.join(dir.dir, 'fresh.db');
  await (await openDb(file)).close();
  const raw = new Database(file, { readonly: true });
  try {
    sqlite = sqliteShape(raw);
  } finally {
    raw.close();
  }
  const url = await cluster.createDatabase({ empty: true });
  await (await openPostgres(url, { poolSize: 1 })).close();
  postgres = await withClient(url, postgresShape);
}, 120_000);
afterAll(async () => {
  dir?.cleanup();
  await cluster?.release();
});

describe('the migrated databases of both engines', () => {
  it('have the same tables, besides the ones listed as one engine only', async () => {
    expect(Object.keys(postgres).filter((t) => t in ONLY_POSTGRES)).toEqual(Object.keys(ONLY_POSTGRES));
    expect(Object.keys(sqlite).filter((t) => t in ONLY_SQLITE)).toEqual(Object.keys(ONLY_SQLITE));
    expect(Object.keys(without(postgres, ONLY_POSTGRES)).sort()).toEqual(Object.keys(without(sqlite, ONLY_SQLITE)).sort());
    expect(Object.keys(sqlite).length).toBeGreaterThan(15);
  });

  it('have the same columns, with the same kind, nullability, default and generated ids', async () => {
    for (const [table, shape] of Object.entries(without(sqlite, ONLY_SQLITE))) {
      expect({ table, columns: postgres[table]?.columns }).toEqual({ table, columns: shape.columns });
    }
  });

  it('have the same primary keys and foreign keys', async () => {
    for (const [table, shape] of Object.entries(without(sqlite, ONLY_SQLITE))) {
      expect({ table, primaryKey: postgres[table]?.primaryKey, foreignKeys: postgres[table]?.foreignKeys }).toEqual({
        table,
        primaryKey: shape.primaryKey,
        foreignKeys: shape.foreignKeys,
      });
    }
  });

  it('have the same unique constraints and indexes: names, columns and expressions, partial WHERE', async () => {
    for (const [table, shape] of Object.entries(without(sqlite, ONLY_SQLITE))) {
      expect({ table, indexes: postgres[table]?.indexes }).toEqual({ table, indexes: shape.indexes });
    }
    // The comparison sees what matters: an expression index and partial ones are among them.
    expect(sqlite.inbound?.indexes.inbound_opened_via_idx).toEqual({ unique: false, columns: ['opened_via', 'lowerfrom_addr', 'created_at'], where: 'opened_via is not null' });
    expect(sqlite.reply_addresses?.indexes.reply_addresses_live_idx?.unique).toBe(true);
    expect(sqlite.users?.indexes.users_email_lower_unique).toEqual({ unique: true, columns: ['email_lower'], where: null });
  });

  it('number every table with an id from a sequence (case numbers are made from it)', async () => {
    const ids = Object.entries(without(postgres, ONLY_POSTGRES)).filter(([, t]) => t.columns.id !== undefined);
    expect(ids.length).toBeGreaterThan(10);
    for (const [table, t] of ids) expect({ table, generated: t.columns.id?.generated }).toEqual({ table, generated: true });
  });
});

describe('the two drizzle schema files', () => {
  /** table → column → drizzle's kind of value (`number`, `boolean`, `string`…), for every table a schema module exports. */
  function kinds(module: Record<string, unknown>): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const value of Object.values(module)) {
      const config = value instanceof PgTable ? pgTableConfig(value) : value instanceof SQLiteTable ? sqliteTableConfig(value) : undefined;
      if (config === undefined) continue;
      out[config.name] = Object.fromEntries(config.columns.map((c) => [c.name, c.dataType]));
    }
    return out;
  }

  it('give every column of the shared tables the same kind of value', async () => {
    const fromSqlite = kinds(sqliteSchema);
    const fromPostgres = kinds(postgresSchema);
    expect(Object.keys(fromPostgres).filter((t) => t in ONLY_POSTGRES)).toEqual(Object.keys(ONLY_POSTGRES));
    for (const table of Object.keys(ONLY_POSTGRES)) delete fromPostgres[table];
    for (const table of Object.keys(ONLY_SQLITE)) delete fromSqlite[table];
    expect(fromPostgres).toEqual(fromSqlite);
    expect(fromSqlite.contacts?.help_admin).toBe('boolean');
  });
});
