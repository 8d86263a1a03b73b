// The `collaborators` table: addresses attached to a case (at most 20, checked by the caller).
import { statement, type Db } from './client.js';
import type { collaborators } from './schema.js';
import { normalizeEmail } from '../domain/address.js';

export type CollaboratorRow = typeof collaborators.$inferSelect;

const COLUMNS = 'id, case_id AS caseId, email, email_lower AS emailLower, added_by AS addedBy, created_at AS createdAt';

/** The collaborators' addresses, in the order they were added (participants hot path). */
export function collaboratorEmails(db: Db, caseId: number): string[] {
  return statement<[number], { email: string }>(db, 'SELECT email FROM collaborators WHERE case_id = ? ORDER BY id')
    .all(caseId)
    .map((r) => r.email);
}

export function collaboratorsOf(db: Db, caseId: number): CollaboratorRow[] {
  return statement<[number], CollaboratorRow>(db, `SELECT ${COLUMNS} FROM collaborators WHERE case_id = ? ORDER BY id`).all(caseId);
}

export function insertCollaborator(db: Db, caseId: number, email: string, addedBy: string, now: number): CollaboratorRow {
  return statement<unknown[], CollaboratorRow>(
    db,
    `INSERT INTO collaborators (case_id, email, email_lower, added_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
  ).get(caseId, email, normalizeEmail(email), addedBy, now) as CollaboratorRow;
}

/** Removes a collaborator; its id, or undefined when the address was not one. */
export function deleteCollaborator(db: Db, caseId: number, email: string): number | undefined {
  return statement<[number, string], { id: number }>(db, 'DELETE FROM collaborators WHERE case_id = ? AND email_lower = ? RETURNING id').get(
    caseId,
    normalizeEmail(email),
  )?.id;
}
