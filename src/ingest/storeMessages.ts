// What the main thread and the store thread (storeThread.ts, storeWorker.ts) say to each other:
// plain data only (structured clone). Errors cross as name, message, code and cause, so that the
// main thread can still tell a lock timeout (isLockTimeout) from another failure.
import type { Outcome } from './apply.js';
import type { StoreJob } from './storeJob.js';

export interface ThreadError {
  name: string;
  message: string;
  code: string | null;
  cause: ThreadError | null;
}

export type ToThread = { type: 'jobs'; jobs: Array<{ id: number; job: StoreJob }> } | { type: 'stop' };

export type FromThread =
  | { type: 'ready' }
  | { type: 'failed-to-open'; error: ThreadError }
  /** A group committed: each member's outcomes, or the error that undid only its savepoint. */
  | { type: 'group-done'; results: Array<{ id: number; ok: true; value: Outcome[] } | { id: number; ok: false; error: ThreadError }> }
  /** Nothing of the group committed. */
  | { type: 'group-failed'; ids: number[]; error: ThreadError };

/** An error as plain data, its cause chain included (at most 8 deep). */
export function flatten(err: unknown, depth = 0): ThreadError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), code: null, cause: null };
  const code = (err as { code?: unknown }).code;
  return {
    name: err.name,
    message: err.message,
    code: typeof code === 'string' ? code : null,
    cause: err.cause !== undefined && depth < 8 ? flatten(err.cause, depth + 1) : null,
  };
}

/** The error again, as an Error with the same name, message, code and cause. */
export function revive(e: ThreadError): Error {
  const err = new Error(e.message, e.cause === null ? undefined : { cause: revive(e.cause) });
  err.name = e.name;
  if (e.code !== null) Object.assign(err, { code: e.code });
  return err;
}
