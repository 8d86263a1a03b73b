// Rules of case creation (SPEC §2.1–2.4): eligibility, account and division defaults, parent case,
// closed when created. Pure: callers look the facts up and pass them in.

export const CASE_STATUSES = Object.freeze(['New', 'Working', 'Escalated', 'Closed'] as const);
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const PRIORITIES = Object.freeze(['High', 'Medium', 'Low'] as const);
export type Priority = (typeof PRIORITIES)[number];

export interface ContactFacts {
  id: number;
  email: string;
  accountId: number | null;
  division: string | null;
  eligible: boolean;
}

/** Rule 1: a contact that is not eligible for support cannot have a case. */
export function checkEligibility(contact: ContactFacts | null): 'not-eligible' | null {
  return contact && !contact.eligible ? 'not-eligible' : null;
}

/** Rule 2: account and division default to the contact's, an explicit account wins. */
export function caseDefaults(
  contact: ContactFacts | null,
  explicit: { accountId?: number | null; division?: string | null },
): { accountId: number | null; division: string | null } {
  return {
    accountId: explicit.accountId ?? contact?.accountId ?? null,
    division: explicit.division ?? contact?.division ?? null,
  };
}

/** Rule 4: a case created closed is `Closed` with closedWhenCreated set; otherwise `New`. */
export function initialStatus(closed: boolean): { status: CaseStatus; closedWhenCreated: boolean } {
  return closed ? { status: 'Closed', closedWhenCreated: true } : { status: 'New', closedWhenCreated: false };
}

/** Accepts a priority in any letter case; null when it is not one of PRIORITIES. */
export function parsePriority(value: string): Priority | null {
  const found = PRIORITIES.find((p) => p.toLowerCase() === value.trim().toLowerCase());
  return found ?? null;
}

export function parseStatus(value: string): CaseStatus | null {
  const found = CASE_STATUSES.find((s) => s.toLowerCase() === value.trim().toLowerCase());
  return found ?? null;
}
