// Seeding test databases through the real services (src/cases, src/admin), so that when an
// invariant changes (numbering, thread roots, normalised emails) the seeds cannot drift from it.
import type { Config } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { actorFor, addCollaborator as addCollaboratorRow } from '../../src/cases/collaborators.js';
import { requireCase } from '../../src/cases/find.js';
import { commentRequest, openCaseRequest, type CaseRequest } from '../../src/cases/request.js';
import { closeCase as closeCaseRow } from '../../src/cases/status.js';
import { caseDetail, type CaseDetail } from '../../src/views/case.js';

/** Opens a case as `casegate case create` would, and returns what `case show` prints. */
export function createCase(db: Db, config: Config, request: CaseRequest, now = Date.now()): CaseDetail {
  return caseDetail(db, openCaseRequest(db, config, request, now), config.domain);
}

/** What `case show NUMBER` prints. */
export function showCase(db: Db, config: Config, number: string): CaseDetail {
  return caseDetail(db, requireCase(db, number), config.domain);
}

export function closeCase(db: Db, config: Config, number: string, now = Date.now()): CaseDetail {
  return caseDetail(db, closeCaseRow(db, requireCase(db, number), now), config.domain);
}

/** Adds a collaborator as `casegate collaborator add NUMBER EMAIL [--as AS]` would (history email queued). */
export function addCollaborator(db: Db, config: Config, number: string, email: string, as?: string, now = Date.now()): void {
  const row = requireCase(db, number);
  addCollaboratorRow(db, config, row, email, actorFor(db, row, as), now);
}

/** Writes a comment as `casegate comment add NUMBER --as AS --body BODY` would. */
export async function addComment(db: Db, config: Config, c: { number: string; as: string; body: string; internal?: boolean }, now = Date.now()): Promise<number> {
  const row = requireCase(db, c.number);
  return (await commentRequest(db, config, row, { as: c.as, body: c.body, internal: c.internal === true, attachments: [] }, now)).id;
}
