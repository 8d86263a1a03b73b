// Changes of a case's status and priority asked for by an agent (`case update`, PATCH in the API):
// which values the case's record type allows, and what a change of status does to the closing
// time (SPEC §2.4 and §4 *Closed cases*: a closed case has its closing time; reopening clears it).
// Pure: callers look the record type up and pass it in.
import { CASE_STATUSES, PRIORITIES, parsePriority, parseStatus, type CaseStatus, type Priority } from './caseRules.js';
import { allowsPriority, allowsStatus, type RecordTypeRules } from './recordTypes.js';

type Rules = Pick<RecordTypeRules, 'name' | 'statuses' | 'priorities'> | null;

/** The statuses a case of this record type may take (every one without a record type). */
export const statusesOf = (rt: Rules): readonly CaseStatus[] => rt?.statuses ?? CASE_STATUSES;
export const prioritiesOf = (rt: Rules): readonly Priority[] => rt?.priorities ?? PRIORITIES;

const whose = (rt: Rules): string => (rt === null ? 'a case' : `a case of record type "${rt.name}"`);

/** A status as typed, in any letter case: the status, or a sentence naming the valid ones. */
export function checkStatus(rt: Rules, typed: string): { status: CaseStatus } | { problem: string } {
  const status = parseStatus(typed);
  if (status === null || (rt !== null && !allowsStatus(rt, status))) {
    return { problem: `status "${typed}" is not one ${whose(rt)} can have; give one of ${statusesOf(rt).join(', ')}` };
  }
  return { status };
}

/** A priority as typed, in any letter case: the priority, or a sentence naming the valid ones. */
export function checkPriority(rt: Rules, typed: string): { priority: Priority } | { problem: string } {
  const priority = parsePriority(typed);
  if (priority === null || (rt !== null && !allowsPriority(rt, priority))) {
    return { problem: `priority "${typed}" is not one ${whose(rt)} can have; give one of ${prioritiesOf(rt).join(', ')}` };
  }
  return { priority };
}

/**
 * The closing time after a change of status: closing sets it to now, staying closed keeps it,
 * any other status (a reopening) clears it.
 */
export function closedAtAfter(from: { status: string; closedAt: number | null }, to: CaseStatus, now: number): number | null {
  if (to !== 'Closed') return null;
  return from.status === 'Closed' ? from.closedAt : now;
}
