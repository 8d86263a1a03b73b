// The key of the Help portal's signed links and CSRF tokens: one per database (every node shares
// it), made at first use in a write transaction.
import type { Tx } from '../db/engine.js';
import { secretOrCreate } from '../db/secrets.js';
import { newPortalKey, PORTAL_KEY_NAME as NAME } from '../domain/portal.js';

export const portalKey = (tx: Tx, now: number): Promise<string> => secretOrCreate(tx, NAME, newPortalKey(), now);
