// The `collaborators` table: addresses attached to a case (at most 20, checked by the caller).
import type { Tx } from './engine.js';
import type { collaborators } from './schema.js';
import { normalizeEmail } from '../domain/address.js';

export type CollaboratorRow = typeof collaborators.$inferSelect;

const COLUMNS = 'id, case_id AS "caseId", email, email_lower AS "emailLower", added_by AS "addedBy", created_at AS "createdAt"';

/** The collaborators' addresses, in the order they were added (participants hot path). */
export async function collaboratorEmails(tx: Tx, caseId: number): Promise<string[]> {
  return (await tx.all<{ email: string }>('SELECT email FROM collaborators WHERE case_id = ? ORDER BY id', [caseId])).map((r) => r.email);
}

export function collaboratorsOf(tx: Tx, caseId: number): Promise<CollaboratorRow[]> {
  return tx.all<CollaboratorRow>(`SELECT ${COLUMNS} FROM collaborators WHERE case_id = ? ORDER BY id`, [caseId]);
}

export async function insertCollaborator(tx: Tx, caseId: number, email: string, addedBy: string, now: number): Promise<CollaboratorRow> {
  return (await tx.get<CollaboratorRow>(
    `INSERT INTO collaborators (case_id, email, email_lower, added_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
    [caseId, email, normalizeEmail(email), addedBy, now],
  )) as CollaboratorRow;
}

/** Removes a collaborator; its id, or undefined when the address was not one. */
export async function deleteCollaborator(tx: Tx, caseId: number, email: string): Promise<number | undefined> {
  return (await tx.get<{ id: number }>('DELETE FROM collaborators WHERE case_id = ? AND email_lower = ? RETURNING id', [caseId, normalizeEmail(email)]))?.id;
}

/** The collaborator row of this address on this case, or undefined. */
export function collaboratorByEmail(tx: Tx, caseId: number, email: string): Promise<CollaboratorRow | undefined> {
  return tx.get<CollaboratorRow>(`SELECT ${COLUMNS} FROM collaborators WHERE case_id = ? AND email_lower = ?`, [caseId, normalizeEmail(email)]);
}

export function collaboratorById(tx: Tx, id: number): Promise<CollaboratorRow | undefined> {
  return tx.get<CollaboratorRow>(`SELECT ${COLUMNS} FROM collaborators WHERE id = ?`, [id]);
}
