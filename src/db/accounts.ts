// The `accounts` table: customer organisations.
import type { Tx } from './engine.js';
import type { accounts } from './schema.js';

export type AccountRow = typeof accounts.$inferSelect;

const COLUMNS = 'id, name, created_at AS "createdAt"';

export async function insertAccount(tx: Tx, name: string, now: number): Promise<AccountRow> {
  return (await tx.get<AccountRow>(`INSERT INTO accounts (name, created_at) VALUES (?, ?) RETURNING ${COLUMNS}`, [name, now])) as AccountRow;
}

export function accountById(tx: Tx, id: number): Promise<AccountRow | undefined> {
  return tx.get<AccountRow>(`SELECT ${COLUMNS} FROM accounts WHERE id = ?`, [id]);
}

/** The account with this name, compared case-insensitively. */
export function accountByName(tx: Tx, name: string): Promise<AccountRow | undefined> {
  return tx.get<AccountRow>(`SELECT ${COLUMNS} FROM accounts WHERE lower(name) = lower(?) ORDER BY id LIMIT 1`, [name]);
}

export function allAccounts(tx: Tx): Promise<AccountRow[]> {
  return tx.all<AccountRow>(`SELECT ${COLUMNS} FROM accounts ORDER BY id`);
}
