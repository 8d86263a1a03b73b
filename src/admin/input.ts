// Values as an admin types them (CLI flags, later API fields), checked once here: each returns the
// clean value or throws an error that says what to give instead.
import { isEmailAddress } from '../domain/address.js';
import { PRIORITIES, parsePriority, type Priority } from '../domain/caseRules.js';
import { PERMISSIONS, parsePermissions, type Permission } from '../domain/permissions.js';
import { invalid } from '../errors.js';

/** An email address, trimmed; `what` names it in the error, e.g. "contact email". */
export function checkEmail(value: string, what: string): string {
  const email = value.trim();
  if (!isEmailAddress(email)) {
    throw invalid(`${what} "${value}" is not an email address; give a plain address such as ann@example.com`);
  }
  return email;
}

/** A priority in any letter case; anything else is refused with the choices. */
export function requirePriority(value: string): Priority {
  const priority = parsePriority(value);
  if (priority === null) throw invalid(`priority "${value}" is not one of ${PRIORITIES.join(', ')}; give one of them`);
  return priority;
}

/** A permission list such as `read,create`; an unknown word is refused with the choices. */
export function checkPermissions(value: string, what = '--can'): Permission[] {
  const parsed = parsePermissions(value);
  if ('unknown' in parsed) {
    throw invalid(`${what} "${parsed.unknown.join(', ')}" is not a permission; give a comma-separated list of ${PERMISSIONS.join(', ')}`);
  }
  return parsed.can;
}
