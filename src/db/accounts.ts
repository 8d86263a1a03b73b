// The `accounts` table: customer organisations.
import { statement, type Db } from './client.js';
import type { accounts } from './schema.js';

export type AccountRow = typeof accounts.$inferSelect;

const COLUMNS = 'id, name, created_at AS createdAt';

export function insertAccount(db: Db, name: string, now: number): AccountRow {
  return statement<[string, number], AccountRow>(db, `INSERT INTO accounts (name, created_at) VALUES (?, ?) RETURNING ${COLUMNS}`).get(
    name,
    now,
  ) as AccountRow;
}

export function accountById(db: Db, id: number): AccountRow | undefined {
  return statement<[number], AccountRow>(db, `SELECT ${COLUMNS} FROM accounts WHERE id = ?`).get(id);
}

/** The account with this name, compared case-insensitively. */
export function accountByName(db: Db, name: string): AccountRow | undefined {
  return statement<[string], AccountRow>(db, `SELECT ${COLUMNS} FROM accounts WHERE lower(name) = lower(?) LIMIT 1`).get(name);
}

export function allAccounts(db: Db): AccountRow[] {
  return statement<[], AccountRow>(db, `SELECT ${COLUMNS} FROM accounts ORDER BY id`).all();
}
