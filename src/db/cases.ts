// The `cases` table. A case's number follows from its id (caseNumberOf), so a new row is inserted
// and then numbered, in the caller's transaction.
import { bool, type Tx } from './engine.js';
import type { cases } from './schema.js';
import { caseNumberOf, threadRootId } from '../domain/mailNames.js';
import type { CaseStatus } from '../domain/caseRules.js';

export type CaseRow = typeof cases.$inferSelect;
export type NewCaseRow = Omit<CaseRow, 'id' | 'number' | 'threadRoot' | 'createdAt' | 'updatedAt'> & {
  /** Message-ID of the mail that opened the case; null: one of ours, named after the number. */
  threadRoot: string | null;
};

/** The columns of a CaseRow; `t` prefixes each with a table alias, e.g. `c.`. */
const columns = (t = ''): string => `${t}id, ${t}number, ${t}subject, ${t}description, ${t}status, ${t}priority, ${t}origin, ${t}contact_id AS "contactId",
  ${t}account_id AS "accountId", ${t}owner_id AS "ownerId", ${t}parent_id AS "parentId", ${t}asset_id AS "assetId", ${t}record_type_id AS "recordTypeId",
  ${t}division,
  ${t}closed_when_created AS "closedWhenCreated", ${t}address_token AS "addressToken", ${t}thread_root AS "threadRoot",
  ${t}supplied_email AS "suppliedEmail", ${t}supplied_name AS "suppliedName", ${t}created_at AS "createdAt",
  ${t}updated_at AS "updatedAt", ${t}closed_at AS "closedAt"`;
const COLUMNS = columns();

type Raw = Omit<CaseRow, 'closedWhenCreated'> & { closedWhenCreated: number | boolean };
const row = (r: Raw | undefined): CaseRow | undefined => (r === undefined ? undefined : { ...r, closedWhenCreated: bool(r.closedWhenCreated) });
const rows = (all: Raw[]): CaseRow[] => all.map((r) => row(r) as CaseRow);

/** Inserts and numbers a case; `mailDomain` names the thread root of a case not opened by mail. */
export async function insertCase(tx: Tx, c: NewCaseRow, mailDomain: string, now: number): Promise<CaseRow> {
  const placeholder = `new-${c.addressToken}`;
  const id = await tx.insert(
    `INSERT INTO cases (number, subject, description, status, priority, origin, contact_id, account_id, owner_id,
       parent_id, asset_id, record_type_id, division, closed_when_created, address_token, thread_root, supplied_email,
       supplied_name, created_at, updated_at, closed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      placeholder,
      c.subject,
      c.description,
      c.status,
      c.priority,
      c.origin,
      c.contactId,
      c.accountId,
      c.ownerId,
      c.parentId,
      c.assetId,
      c.recordTypeId,
      c.division,
      c.closedWhenCreated ? 1 : 0,
      c.addressToken,
      c.threadRoot ?? placeholder,
      c.suppliedEmail,
      c.suppliedName,
      now,
      now,
      c.closedAt,
    ],
  );
  const number = caseNumberOf(id);
  return row(
    await tx.get<Raw>(`UPDATE cases SET number = ?, thread_root = ? WHERE id = ? RETURNING ${COLUMNS}`, [number, c.threadRoot ?? threadRootId(number, mailDomain), id]),
  ) as CaseRow;
}

export async function caseById(tx: Tx, id: number): Promise<CaseRow | undefined> {
  return row(await tx.get<Raw>(`SELECT ${COLUMNS} FROM cases WHERE id = ?`, [id]));
}

export async function caseByNumber(tx: Tx, number: string): Promise<CaseRow | undefined> {
  return row(await tx.get<Raw>(`SELECT ${COLUMNS} FROM cases WHERE number = ?`, [number]));
}

/**
 * Takes the case's row lock until the transaction ends, so that writers of the same case (two
 * adds of collaborators, two copies of one reply) go one after the other. PostgreSQL only: on
 * SQLite a write transaction holds the one write lock of the whole database already.
 */
export async function lockCase(tx: Tx, id: number): Promise<void> {
  if (tx.dialect === 'postgres') await tx.get('SELECT id FROM cases WHERE id = ? FOR UPDATE', [id]);
}

/** The case of a case address token (RCPT hot path: the id only). */
export async function caseIdByAddressToken(tx: Tx, token: string): Promise<number | undefined> {
  return (await tx.get<{ id: number }>('SELECT id FROM cases WHERE address_token = ?', [token]))?.id;
}

/** The (oldest) case whose thread root is this Message-ID. */
export async function caseIdByThreadRoot(tx: Tx, messageId: string): Promise<number | undefined> {
  return (await tx.get<{ id: number }>('SELECT id FROM cases WHERE thread_root = ? ORDER BY id LIMIT 1', [messageId]))?.id;
}

export interface CaseFilter {
  status?: CaseStatus;
  /** Only cases without a contact. */
  unlinked?: boolean;
  /** Only cases without an owner. */
  unowned?: boolean;
  ownerId?: number;
  contactId?: number;
  accountId?: number;
  /** Only cases changed at or after this time (ms). */
  updatedSince?: number;
  /** Paging: only cases with a larger id (the last case of the page before). */
  afterId?: number;
  /** At most this many; all without. */
  limit?: number;
}

/** Cases in the order they were opened (by id: a stable order for paging). */
export async function listCases(tx: Tx, filter: CaseFilter = {}): Promise<CaseRow[]> {
  const where = ['1 = 1'];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown): void => {
    where.push(clause);
    params.push(value);
  };
  if (filter.status !== undefined) add('status = ?', filter.status);
  if (filter.unlinked) where.push('contact_id IS NULL');
  if (filter.unowned) where.push('owner_id IS NULL');
  if (filter.ownerId !== undefined) add('owner_id = ?', filter.ownerId);
  if (filter.contactId !== undefined) add('contact_id = ?', filter.contactId);
  if (filter.accountId !== undefined) add('account_id = ?', filter.accountId);
  if (filter.updatedSince !== undefined) add('updated_at >= ?', filter.updatedSince);
  if (filter.afterId !== undefined) add('id > ?', filter.afterId);
  const limit = filter.limit === undefined ? '' : ' LIMIT ?';
  if (filter.limit !== undefined) params.push(filter.limit);
  return rows(await tx.all<Raw>(`SELECT ${COLUMNS} FROM cases WHERE ${where.join(' AND ')} ORDER BY id${limit}`, params));
}

/** Cases of this origin created at or after `since` (the Web-to-Case daily limit). */
export async function countCasesSince(tx: Tx, origin: string, since: number): Promise<number> {
  return (await tx.get<{ n: number }>('SELECT count(*) AS n FROM cases WHERE origin = ? AND created_at >= ?', [origin, since]))?.n ?? 0;
}

/** Numbers of the child cases of a case, oldest first. */
export async function childNumbers(tx: Tx, parentId: number): Promise<string[]> {
  return (await tx.all<{ number: string }>('SELECT number FROM cases WHERE parent_id = ? ORDER BY id', [parentId])).map((r) => r.number);
}

/** Sets the status; `closedAt` is the closing time for `Closed`, null otherwise. */
export async function setCaseStatus(tx: Tx, id: number, status: CaseStatus, closedAt: number | null, now: number): Promise<void> {
  await tx.run('UPDATE cases SET status = ?, closed_at = ?, updated_at = ? WHERE id = ?', [status, closedAt, now, id]);
}

/** Marks the case as changed now (a comment was added). */
export async function touchCase(tx: Tx, id: number, now: number): Promise<void> {
  await tx.run('UPDATE cases SET updated_at = ? WHERE id = ?', [now, id]);
}

export async function setCaseContact(
  tx: Tx,
  id: number,
  link: { contactId: number | null; accountId: number | null; division: string | null },
  now: number,
): Promise<void> {
  await tx.run('UPDATE cases SET contact_id = ?, account_id = ?, division = ?, updated_at = ? WHERE id = ?', [link.contactId, link.accountId, link.division, now, id]);
}

export async function setCasePriority(tx: Tx, id: number, priority: string, now: number): Promise<void> {
  await tx.run('UPDATE cases SET priority = ?, updated_at = ? WHERE id = ?', [priority, now, id]);
}

export async function setCaseOwner(tx: Tx, id: number, ownerId: number, now: number): Promise<void> {
  await tx.run('UPDATE cases SET owner_id = ?, updated_at = ? WHERE id = ?', [ownerId, now, id]);
}

export async function setCaseAsset(tx: Tx, id: number, assetId: number | null, now: number): Promise<void> {
  await tx.run('UPDATE cases SET asset_id = ?, updated_at = ? WHERE id = ?', [assetId, now, id]);
}

/** Numbers of the cases that name an asset, oldest first. */
export async function caseNumbersOfAsset(tx: Tx, assetId: number): Promise<string[]> {
  return (await tx.all<{ number: string }>('SELECT number FROM cases WHERE asset_id = ? ORDER BY id', [assetId])).map((r) => r.number);
}

/** The columns `searchCases` looks in; `lower(x) LIKE lower(?)` ignores letter case on both engines. */
const SEARCHED = [
  'c.subject',
  'c.description',
  'ct.email',
  'ct.first_name',
  'ct.last_name',
  "(ct.first_name || ' ' || ct.last_name)",
  'a.name',
  'c.supplied_email',
];

/**
 * Cases whose subject, description, contact (email, first or last name) or account name contains
 * `text`, letter case ignored, oldest first; at most `limit`.
 */
export async function searchCases(tx: Tx, text: string, limit: number): Promise<CaseRow[]> {
  const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return rows(
    await tx.all<Raw>(
      `SELECT ${columns('c.')} FROM cases c
         LEFT JOIN contacts ct ON ct.id = c.contact_id
         LEFT JOIN accounts a ON a.id = c.account_id
       WHERE ${SEARCHED.map((col) => `lower(${col}) LIKE lower(?) ESCAPE '\\'`).join(' OR ')}
       ORDER BY c.id LIMIT ?`,
      [...SEARCHED.map(() => like), limit],
    ),
  );
}

/** The Help portal's list: cases whose contact is one of `contactIds`, or of one of `accountIds`; newest first. */
export async function casesForPortal(tx: Tx, contactIds: readonly number[], accountIds: readonly number[]): Promise<CaseRow[]> {
  const where: string[] = [];
  if (contactIds.length > 0) where.push(`contact_id IN (${contactIds.map(() => '?').join(', ')})`);
  if (accountIds.length > 0) where.push(`account_id IN (${accountIds.map(() => '?').join(', ')})`);
  if (where.length === 0) return [];
  return rows(await tx.all<Raw>(`SELECT ${COLUMNS} FROM cases WHERE ${where.join(' OR ')} ORDER BY updated_at DESC, id DESC LIMIT 500`, [...contactIds, ...accountIds]));
}
