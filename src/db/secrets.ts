// The `secrets` table: the server's own keys by name, made once at first use and then shared by
// every process and node of the database.
import type { Tx } from './engine.js';

/** The secret `name`: the stored one, else `fresh` stored now (the first writer wins under concurrency). */
export async function secretOrCreate(tx: Tx, name: string, fresh: string, now: number): Promise<string> {
  await tx.run('INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [name, fresh, now]);
  return ((await tx.get<{ value: string }>('SELECT value FROM secrets WHERE name = ?', [name])) as { value: string }).value;
}

/** The secret `name` when it was made already (read transactions), else undefined. */
export async function secretIfMade(tx: Tx, name: string): Promise<string | undefined> {
  return (await tx.get<{ value: string }>('SELECT value FROM secrets WHERE name = ?', [name]))?.value;
}
