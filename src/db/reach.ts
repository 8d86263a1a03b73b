// The database out of reach as a state of the process (SPEC §10), said once per outage: every
// transaction goes through here; the first that finds the server out of reach logs "database out
// of reach", the first that succeeds after it logs "database reachable again". Nothing is retried
// here: each caller answers its own unit of work (451, exit 75, 503), and the engine's pool
// reconnects by itself, so the next transaction after the server is back simply works.
import { OutOfReachError } from '../errors.js';
import type { Db } from './client.js';

export interface WatchedDb extends Db {
  /** True from the first transaction that found the database out of reach until one succeeds again. */
  readonly outOfReach: boolean;
  /** One trivial read: true when the database answers (which also ends an outage). */
  probe(): Promise<boolean>;
}

export interface WatchOptions {
  /** Where the two lines go (stderr by default). */
  readonly log?: (line: string) => void;
  readonly now?: () => number;
}

export function watchReach(db: Db, options: WatchOptions = {}): WatchedDb {
  const log = options.log ?? ((line: string) => console.error(line));
  const now = options.now ?? Date.now;
  let out = false;
  /** Outages so far: a transaction that began before the current one says nothing of it when it succeeds. */
  let outages = 0;
  let since = 0;
  let refused = 0;

  const transaction: Db['transaction'] = async (work, mode) => {
    const began = outages;
    try {
      const result = await db.transaction(work, mode);
      if (out && began === outages) {
        out = false;
        const seconds = Math.round((now() - since) / 1000);
        log(`casegate: database reachable again after ${seconds} s (${refused} unit${refused === 1 ? '' : 's'} of work refused meanwhile): ${db.location}`);
      }
      return result;
    } catch (err) {
      if (err instanceof OutOfReachError) {
        if (!out) {
          out = true;
          outages += 1;
          since = now();
          refused = 0;
          log(
            `casegate: database out of reach: ${db.location}; mail is answered 451 and HTTP 503 until it is back, ` +
              `casegate reconnects by itself (${err.message})`,
          );
        }
        refused += 1;
      }
      throw err;
    }
  };

  return {
    dialect: db.dialect,
    location: db.location,
    blobs: db.blobs,
    // LISTEN connections are the dispatcher's own (they reconnect by themselves): passed through.
    ...(db.listen ? { listen: db.listen.bind(db) } : {}),
    transaction,
    close: () => db.close(),
    get outOfReach() {
      return out;
    },
    probe: () => transaction((tx) => tx.get('SELECT 1 AS one'), 'read').then(
      () => true,
      () => false,
    ),
  };
}
