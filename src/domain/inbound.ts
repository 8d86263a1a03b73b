// Words of the inbound log. Pure.

/** What was done with one message for one recipient. */
export const INBOUND_DECISIONS = Object.freeze(['accepted', 'refused', 'ignored', 'duplicate'] as const);
export type Decision = (typeof INBOUND_DECISIONS)[number];

export function parseDecision(value: string): Decision | null {
  const wanted = value.trim().toLowerCase();
  return INBOUND_DECISIONS.find((d) => d === wanted) ?? null;
}
