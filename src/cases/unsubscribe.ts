// The one-click "stop these emails" link of a collaborator's notification (SPEC §11, RFC 8058): a
// signed token naming one collaborator row of one case. It removes that collaborator (their reply
// address retires with them), leaves an internal comment on the case as the log, and tells the
// case contact by mail.
import type { Config } from '../config.js';
import type { Tx } from '../db/engine.js';
import { caseById } from '../db/cases.js';
import { collaboratorById } from '../db/collaborators.js';
import { unsubscribeIdOf, unsubscribeMatches } from '../domain/portal.js';
import { addComment } from './comment.js';
import { removeCollaborator } from './collaborators.js';
import { enqueueNotification } from './notify.js';
import { contactAddress } from './participants.js';
import { portalKey } from './portalKey.js';

export type UnsubscribeOutcome = { kind: 'removed'; caseNumber: string; email: string } | { kind: 'not-valid' };

export async function unsubscribeByLink(tx: Tx, config: Pick<Config, 'domain' | 'notifyOwner'>, token: string, now: number): Promise<UnsubscribeOutcome> {
  const id = unsubscribeIdOf(token);
  const collaborator = id === null ? undefined : await collaboratorById(tx, id);
  // A removed collaborator's row is gone: their link (and any guess) is no longer valid.
  if (collaborator === undefined) return { kind: 'not-valid' };
  const key = await portalKey(tx, now);
  if (!unsubscribeMatches(key, token, { collaboratorId: collaborator.id, caseId: collaborator.caseId, email: collaborator.email })) return { kind: 'not-valid' };
  const row = await caseById(tx, collaborator.caseId);
  if (row === undefined) return { kind: 'not-valid' };
  // The signed link speaks for the collaborator, who may always leave.
  await removeCollaborator(tx, row, collaborator.email, { kind: 'operator' }, now);
  const text = `${collaborator.email} stopped the emails of case ${row.number} with the one-click link of a notification, and is no longer a collaborator of the case.`;
  const commentId = await addComment(
    tx,
    config,
    row,
    { authorEmail: collaborator.email, authorName: null, body: text, fullBody: text, source: 'web', internal: true, inboundId: null, attachments: [] },
    now,
  );
  const contact = await contactAddress(tx, row);
  if (contact !== null) await enqueueNotification(tx, { caseId: row.id, commentId, kind: 'unsubscribed', recipients: [contact] }, config.domain, now);
  return { kind: 'removed', caseNumber: row.number, email: collaborator.email };
}
