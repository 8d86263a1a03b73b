// The `mailboxes` table: IMAP mailboxes that casegate fetches from, and how the last pass went.
import { bool, type Tx } from './engine.js';
import type { mailboxes } from './schema.js';

export type MailboxRow = typeof mailboxes.$inferSelect;
export type NewMailboxRow = Pick<MailboxRow, 'url' | 'toAddress' | 'passwordFile' | 'tokenCommand' | 'insecure'>;

const COLUMNS = `id, url, to_address AS "toAddress", password_file AS "passwordFile", token_command AS "tokenCommand",
  insecure, created_at AS "createdAt", last_checked_at AS "lastCheckedAt", last_error AS "lastError",
  fetched_count AS "fetchedCount"`;

type Raw = Omit<MailboxRow, 'insecure'> & { insecure: number | boolean };
const row = (r: Raw | undefined): MailboxRow | undefined => (r === undefined ? undefined : { ...r, insecure: bool(r.insecure) });

export async function insertMailbox(tx: Tx, m: NewMailboxRow, now: number): Promise<MailboxRow> {
  const id = await tx.insert(
    'INSERT INTO mailboxes (url, to_address, password_file, token_command, insecure, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    [m.url, m.toAddress, m.passwordFile, m.tokenCommand, m.insecure ? 1 : 0, now],
  );
  return (await mailboxById(tx, id)) as MailboxRow;
}

export async function mailboxById(tx: Tx, id: number): Promise<MailboxRow | undefined> {
  return row(await tx.get<Raw>(`SELECT ${COLUMNS} FROM mailboxes WHERE id = ?`, [id]));
}

export async function mailboxByUrl(tx: Tx, url: string): Promise<MailboxRow | undefined> {
  return row(await tx.get<Raw>(`SELECT ${COLUMNS} FROM mailboxes WHERE url = ?`, [url]));
}

export async function allMailboxes(tx: Tx): Promise<MailboxRow[]> {
  return (await tx.all<Raw>(`SELECT ${COLUMNS} FROM mailboxes ORDER BY id`)).map((r) => row(r) as MailboxRow);
}

export async function deleteMailbox(tx: Tx, id: number): Promise<void> {
  await tx.run('DELETE FROM mailboxes WHERE id = ?', [id]);
}

/** The end of a pass over a mailbox: when, why it failed (null: it did not), how many messages it took. */
export async function recordMailboxPass(tx: Tx, id: number, at: number, error: string | null, taken: number): Promise<void> {
  await tx.run('UPDATE mailboxes SET last_checked_at = ?, last_error = ?, fetched_count = fetched_count + ? WHERE id = ?', [at, error, taken, id]);
}
