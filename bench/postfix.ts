// A throwaway Postfix instance for row 2 (test/helpers/postfix.ts, the one the Postfix tests use),
// set to accept every message into the hold queue: written and fsynced like any queued mail, and
// never delivered anywhere.
import { startPostfix as start, type PostfixInstance } from '../test/helpers/postfix.js';

export { freePort, hasCommand, postfixUnavailable, type PostfixInstance } from '../test/helpers/postfix.js';

export function startPostfix(): Promise<PostfixInstance> {
  return start({ name: 'bench-postfix', main: 'smtpd_recipient_restrictions = check_recipient_access static:HOLD' });
}
