// What an API key may do (SPEC §8), like the "Read / Create / Edit on cases" of a Salesforce
// profile: read for every GET, create to open a case, edit for comments, collaborators and contact
// links (each operation names its own in src/http/schemas.ts). Pure.

export const PERMISSIONS = Object.freeze(['read', 'create', 'edit'] as const);
export type Permission = (typeof PERMISSIONS)[number];

/** `read,create` → ['read', 'create'] in canonical order; null with the unknown words when any is not a permission. */
export function parsePermissions(text: string): { ok: true; permissions: Permission[] } | { ok: false; unknown: string[] } {
  const words = text
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  const unknown = words.filter((w) => !(PERMISSIONS as readonly string[]).includes(w));
  if (unknown.length > 0 || words.length === 0) return { ok: false, unknown };
  return { ok: true, permissions: PERMISSIONS.filter((p) => words.includes(p)) };
}
