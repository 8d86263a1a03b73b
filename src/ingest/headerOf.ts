// Reading a parsed message's headers; a module of its own so that the store thread, which reads
// them too, does not load the parser.

/** A header of the message by name in any letter case: its first value, or undefined. */
export function headerOf(msg: { readonly headers: Readonly<Record<string, string>> }, name: string): string | undefined {
  const key = name.trim().toLowerCase();
  return Object.hasOwn(msg.headers, key) ? msg.headers[key] : undefined;
}
