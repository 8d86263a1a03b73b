// Authorise stage: a reply is taken only from the case contact or a current collaborator (SPEC §2.8, §4 "Who").
import type { Db } from '../db/client.js';
import { collaboratorEmails, contactAddress, type CaseRow } from '../db/cases.js';
import { isParticipant } from '../domain/recipients.js';
import { answer, type Answer } from '../domain/refusal.js';

export function authorizeSender(db: Db, row: CaseRow, from: string | null): Answer | null {
  if (from === null) {
    return answer(550, '5.7.1', `message has no From address, so it cannot be matched to a participant of case ${row.number}`);
  }
  if (isParticipant(from, contactAddress(db, row), collaboratorEmails(db, row.id))) return null;
  return answer(
    550,
    '5.7.1',
    `${from} is not a participant of case ${row.number}; only the case contact and its collaborators may reply`,
  );
}
