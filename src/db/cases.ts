// The `cases` table. A case's number follows from its id (caseNumberOf), so a new row is inserted
// and then numbered, in the caller's transaction.
import { bool, statement, type Db } from './client.js';
import type { cases } from './schema.js';
import { caseNumberOf, threadRootId } from '../domain/mailNames.js';
import type { CaseStatus } from '../domain/caseRules.js';

export type CaseRow = typeof cases.$inferSelect;
export type NewCaseRow = Omit<CaseRow, 'id' | 'number' | 'threadRoot' | 'createdAt' | 'updatedAt'> & {
  /** Message-ID of the mail that opened the case; null: one of ours, named after the number. */
  threadRoot: string | null;
};

/** The columns of a CaseRow; `t` prefixes each with a table alias, e.g. `c.`. */
const columns = (t = ''): string => `${t}id, ${t}number, ${t}subject, ${t}description, ${t}status, ${t}priority, ${t}origin, ${t}contact_id AS contactId,
  ${t}account_id AS accountId, ${t}owner_id AS ownerId, ${t}parent_id AS parentId, ${t}asset_id AS assetId, ${t}record_type_id AS recordTypeId,
  ${t}division,
  ${t}closed_when_created AS closedWhenCreated, ${t}address_token AS addressToken, ${t}thread_root AS threadRoot,
  ${t}supplied_email AS suppliedEmail, ${t}supplied_name AS suppliedName, ${t}created_at AS createdAt,
  ${t}updated_at AS updatedAt, ${t}closed_at AS closedAt`;
const COLUMNS = columns();

type Raw = Omit<CaseRow, 'closedWhenCreated'> & { closedWhenCreated: number };
const row = (r: Raw | undefined): CaseRow | undefined => (r === undefined ? undefined : { ...r, closedWhenCreated: bool(r.closedWhenCreated) });

/** Inserts and numbers a case; `mailDomain` names the thread root of a case not opened by mail. */
export function insertCase(db: Db, c: NewCaseRow, mailDomain: string, now: number): CaseRow {
  const placeholder = `new-${c.addressToken}`;
  const { id } = statement<unknown[], { id: number }>(
    db,
    `INSERT INTO cases (number, subject, description, status, priority, origin, contact_id, account_id, owner_id,
       parent_id, asset_id, record_type_id, division, closed_when_created, address_token, thread_root, supplied_email,
       supplied_name, created_at, updated_at, closed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
  ).get(
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
  ) as { id: number };
  const number = caseNumberOf(id);
  return row(
    statement<[string, string, number], Raw>(db, `UPDATE cases SET number = ?, thread_root = ? WHERE id = ? RETURNING ${COLUMNS}`).get(
      number,
      c.threadRoot ?? threadRootId(number, mailDomain),
      id,
    ),
  ) as CaseRow;
}

export function caseById(db: Db, id: number): CaseRow | undefined {
  return row(statement<[number], Raw>(db, `SELECT ${COLUMNS} FROM cases WHERE id = ?`).get(id));
}

export function caseByNumber(db: Db, number: string): CaseRow | undefined {
  return row(statement<[string], Raw>(db, `SELECT ${COLUMNS} FROM cases WHERE number = ?`).get(number));
}

/** The case of a case address token (RCPT hot path: the id only). */
export function caseIdByAddressToken(db: Db, token: string): number | undefined {
  return statement<[string], { id: number }>(db, 'SELECT id FROM cases WHERE address_token = ?').get(token)?.id;
}

/** The (oldest) case whose thread root is this Message-ID. */
export function caseIdByThreadRoot(db: Db, messageId: string): number | undefined {
  return statement<[string], { id: number }>(db, 'SELECT id FROM cases WHERE thread_root = ? ORDER BY id LIMIT 1').get(messageId)?.id;
}

export interface CaseFilter {
  status?: CaseStatus;
  /** Only cases without a contact. */
  unlinked?: boolean;
  /** Only cases without an owner. */
  unowned?: boolean;
}

export function listCases(db: Db, filter: CaseFilter = {}): CaseRow[] {
  const where = ['1 = 1'];
  const params: unknown[] = [];
  if (filter.status !== undefined) {
    where.push('status = ?');
    params.push(filter.status);
  }
  if (filter.unlinked) where.push('contact_id IS NULL');
  if (filter.unowned) where.push('owner_id IS NULL');
  return statement<unknown[], Raw>(db, `SELECT ${COLUMNS} FROM cases WHERE ${where.join(' AND ')} ORDER BY id`)
    .all(...params)
    .map((r) => row(r) as CaseRow);
}

/** Cases of this origin created at or after `since` (the Web-to-Case daily limit). */
export function countCasesSince(db: Db, origin: string, since: number): number {
  return statement<[string, number], { n: number }>(db, 'SELECT count(*) AS n FROM cases WHERE origin = ? AND created_at >= ?').get(origin, since)?.n ?? 0;
}

/** Numbers of the child cases of a case, oldest first. */
export function childNumbers(db: Db, parentId: number): string[] {
  return statement<[number], { number: string }>(db, 'SELECT number FROM cases WHERE parent_id = ? ORDER BY id')
    .all(parentId)
    .map((r) => r.number);
}

/** Sets the status; `closedAt` is the closing time for `Closed`, null otherwise. */
export function setCaseStatus(db: Db, id: number, status: CaseStatus, closedAt: number | null, now: number): void {
  statement<[string, number | null, number, number]>(db, 'UPDATE cases SET status = ?, closed_at = ?, updated_at = ? WHERE id = ?').run(
    status,
    closedAt,
    now,
    id,
  );
}

/** Marks the case as changed now (a comment was added). */
export function touchCase(db: Db, id: number, now: number): void {
  statement<[number, number]>(db, 'UPDATE cases SET updated_at = ? WHERE id = ?').run(now, id);
}

export function setCaseContact(
  db: Db,
  id: number,
  link: { contactId: number | null; accountId: number | null; division: string | null },
  now: number,
): void {
  statement<unknown[]>(db, 'UPDATE cases SET contact_id = ?, account_id = ?, division = ?, updated_at = ? WHERE id = ?').run(
    link.contactId,
    link.accountId,
    link.division,
    now,
    id,
  );
}

export function setCaseAsset(db: Db, id: number, assetId: number | null, now: number): void {
  statement<[number | null, number, number]>(db, 'UPDATE cases SET asset_id = ?, updated_at = ? WHERE id = ?').run(assetId, now, id);
}

/** Numbers of the cases that name an asset, oldest first. */
export function caseNumbersOfAsset(db: Db, assetId: number): string[] {
  return statement<[number], { number: string }>(db, 'SELECT number FROM cases WHERE asset_id = ? ORDER BY id')
    .all(assetId)
    .map((r) => r.number);
}

/**
 * Cases whose subject, description, contact (email, first or last name) or account name contains
 * `text`, letter case ignored (ASCII), oldest first; at most `limit`.
 */
export function searchCases(db: Db, text: string, limit: number): CaseRow[] {
  const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return statement<unknown[], Raw>(
    db,
    `SELECT ${columns('c.')} FROM cases c
       LEFT JOIN contacts ct ON ct.id = c.contact_id
       LEFT JOIN accounts a ON a.id = c.account_id
     WHERE c.subject LIKE @q ESCAPE '\\' OR c.description LIKE @q ESCAPE '\\' OR ct.email LIKE @q ESCAPE '\\'
       OR ct.first_name LIKE @q ESCAPE '\\' OR ct.last_name LIKE @q ESCAPE '\\'
       OR (ct.first_name || ' ' || ct.last_name) LIKE @q ESCAPE '\\'
       OR a.name LIKE @q ESCAPE '\\' OR c.supplied_email LIKE @q ESCAPE '\\'
     ORDER BY c.id LIMIT @limit`,
  )
    .all({ q: like, limit })
    .map((r) => row(r) as CaseRow);
}
