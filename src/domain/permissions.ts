// Permissions on cases (Salesforce: "to view cases: Read on cases; to create cases: Create on
// cases"). Who acts — a user today, an API key later — carries a set of them; a command names the
// one it needs. Pure: callers look the actor up and pass it in.

export const PERMISSIONS = Object.freeze(['read', 'create', 'edit'] as const);
export type Permission = (typeof PERMISSIONS)[number];

/** Someone acting with permissions: `kind` and `name` say who in a refusal ("user ann@x", "API key ci"). */
export interface Actor {
  kind: 'user' | 'api key';
  name: string;
  can: readonly Permission[];
}

/** A list as typed (`read,edit`, any letter case, spaces allowed): the permissions, or the words that are none. */
export function parsePermissions(text: string): { can: Permission[] } | { unknown: string[] } {
  const words = text
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w !== '');
  const unknown = words.filter((w) => !(PERMISSIONS as readonly string[]).includes(w));
  if (unknown.length > 0) return { unknown };
  // Kept in the order of PERMISSIONS, each once.
  return { can: PERMISSIONS.filter((p) => words.includes(p)) };
}

/** The stored form: `read,create,edit` order, comma-separated. */
export function formatPermissions(can: readonly Permission[]): string {
  return PERMISSIONS.filter((p) => can.includes(p)).join(',');
}

/** The permission the actor lacks for `need`, or null when it may. */
export function missingPermission(actor: Actor, need: Permission): Permission | null {
  return actor.can.includes(need) ? null : need;
}
