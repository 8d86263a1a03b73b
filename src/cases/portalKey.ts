// The key of the Help portal's signed links and CSRF tokens: one per database (every node shares
// it), made at first use in a write transaction.
import type { Tx } from '../db/engine.js';
import { secretIfMade, secretOrCreate } from '../db/secrets.js';
import { newPortalKey } from '../domain/portal.js';

const NAME = 'portal';

export const portalKey = (tx: Tx, now: number): Promise<string> => secretOrCreate(tx, NAME, newPortalKey(), now);

/** In a read transaction: the key when it was made, else undefined. */
export const portalKeyIfMade = (tx: Tx): Promise<string | undefined> => secretIfMade(tx, NAME);
