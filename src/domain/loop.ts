// The loop rule (SPEC §4 "Auto-replies and loops"). Pure.

/** More than LOOP_LIMIT messages with the same sender, subject and body within LOOP_WINDOW_MS. */
export const LOOP_LIMIT = 15;
export const LOOP_WINDOW_MS = 60_000;

/**
 * The loop keys stored and searched at `now`: the key of this minute, and of the one before, so
 * that a 60-second window is always covered and the index grows at its end.
 */
export function loopKeysAt(hash: string, now: number): [current: string, previous: string] {
  const minute = Math.floor(now / LOOP_WINDOW_MS);
  return [`${minute.toString(36)}.${hash}`, `${(minute - 1).toString(36)}.${hash}`];
}

/** True when `recentSame` earlier messages make this one part of a loop. */
export function isLoop(recentSame: number): boolean {
  return recentSame >= LOOP_LIMIT;
}
