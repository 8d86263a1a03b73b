// Text typed by people (API fields, form fields): which control characters it may hold. A line
// (subject, origin, a name, an address) holds none; lines (a description, a comment body) may
// hold tabs and line breaks. NUL, escape, the other C0 and C1 controls and DEL are never text a
// person typed: they are refused, not stored, because they truncate or garble what other
// programs (mail clients, terminals, C libraries) show. Pure, linear in the length.

export type TextShape = 'line' | 'lines';

/** Tab, line feed and carriage return: allowed in `lines`. */
const LINE_BREAKS_AND_TAB = new Set([0x09, 0x0a, 0x0d]);

const isControl = (code: number): boolean => code <= 0x1f || (code >= 0x7f && code <= 0x9f);

/** The first control character `value` may not hold as `shape`: its position and code point, or null. */
export function controlCharacterIn(value: string, shape: TextShape): { index: number; codePoint: number } | null {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (isControl(code) && !(shape === 'lines' && LINE_BREAKS_AND_TAB.has(code))) return { index: i, codePoint: code };
  }
  return null;
}

/** `U+0000`: how a refusal names a character. */
export const codePointName = (code: number): string => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * The same rule as a JSON Schema `pattern` (for the API's schemas and its OpenAPI document); one
 * negated character class, so matching is linear.
 */
export const NO_CONTROL_PATTERN: Readonly<Record<TextShape, string>> = Object.freeze({
  line: '^[^\\u0000-\\u001f\\u007f-\\u009f]*$',
  lines: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$',
});

/** What a person is told: which character, where, and what the field takes. */
export function controlCharacterProblem(field: string, value: string, shape: TextShape): string | null {
  const found = controlCharacterIn(value, shape);
  if (found === null) return null;
  const takes = shape === 'lines' ? 'it may hold tabs and line breaks, but no other control characters' : 'it is one line of text, without tabs, line breaks or other control characters';
  return `${field} holds the control character ${codePointName(found.codePoint)} at position ${found.index + 1}; ${takes}: remove it and send it again`;
}
