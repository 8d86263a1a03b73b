// WHEN as a person types it after --since (and `updatedSince` in the API): a time, or how long ago.
//   2026-12-01                 that day, 00:00 UTC
//   2026-12-01T09:30[:00[.000]][Z|+02:00]   that moment (UTC when no zone is given)
//   90m, 2h, 7d, 2w            that long before now (minutes, hours, days, weeks)
// Pure: `now` is passed in. The patterns are anchored and linear, and the input is bounded.

const UNIT_MS: Readonly<Record<string, number>> = Object.freeze({ m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 });

const DURATION = /^(\d{1,6})([mhdw])$/;
const DATE_TIME = /^(\d{4}-\d\d-\d\d)(?:T(\d\d:\d\d(?::\d\d(?:\.\d{1,3})?)?)(Z|[+-]\d\d:\d\d)?)?$/;

export const SINCE_FORMS = 'a date such as 2026-12-01, a time such as 2026-12-01T09:30Z, or a duration such as 90m, 2h, 7d or 2w';

/**
 * `90m`, `2h`, `7d`, `2w` in milliseconds, with only the units in `units` (e.g. 'dh'); null for
 * anything else. `casegate prune`'s ages are durations too (src/domain/retention.ts).
 */
export function parseDuration(text: string, units = 'mhdw'): number | null {
  const d = DURATION.exec(text.trim().toLowerCase());
  if (d === null || !units.includes(d[2] as string)) return null;
  return Number(d[1]) * (UNIT_MS[d[2] as string] as number);
}

/** The moment (ms since the epoch) WHEN names, or a sentence saying what to give. */
export function parseSince(text: string, now: number): { at: number } | { problem: string } {
  const value = text.trim();
  if (value.length > 40) return { problem: `"${value.slice(0, 40)}…" is not a time; give ${SINCE_FORMS}` };
  const ago = parseDuration(value);
  if (ago !== null) return { at: now - ago };
  const t = DATE_TIME.exec(value.toUpperCase());
  if (t) {
    const [, day, time, zone] = t;
    const at = Date.parse(time === undefined ? `${day}T00:00:00Z` : `${day}T${time}${zone ?? 'Z'}`);
    // Date.parse rolls 2026-02-30 over into March: a day that does not exist is refused.
    if (!Number.isNaN(at) && isCalendarDay(day as string)) return { at };
  }
  return { problem: `"${value}" is not a time; give ${SINCE_FORMS}` };
}

function isCalendarDay(day: string): boolean {
  const at = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(at) && new Date(at).toISOString().slice(0, 10) === day;
}
