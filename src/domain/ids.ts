// Identifiers as people type them. Pure.

/** A positive whole number such as a row id (`12`), or null. */
export function parseId(value: string | number): number | null {
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && Number.isSafeInteger(n) ? n : null;
}

/** Case numbers have 8 digits, e.g. `00001001`. */
export function isCaseNumber(value: string): boolean {
  return /^\d{8}$/.test(value);
}

/**
 * A Message-ID as a person pastes it, with or without its angle brackets: the stored form
 * `<left@right>`, or null when it is not one (empty, spaces, brackets inside, longer than 998).
 */
export function parseMessageIdRef(value: string): string | null {
  let text = value.trim();
  if (text.startsWith('<') && text.endsWith('>')) text = text.slice(1, -1);
  if (text === '' || text.length > 998 || /[\s<>]/.test(text)) return null;
  return `<${text}>`;
}
