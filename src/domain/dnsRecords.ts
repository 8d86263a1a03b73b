// The DNS records a mail admin publishes for casegate's notifications, as text: where the DKIM key
// lives, the TXT value that carries it, a zone-file line for it, and the tags of a published record
// read back. Pure: no lookups (src/doctor/ makes them).

/** A DKIM selector: dot-separated labels of letters, digits and inner hyphens (RFC 6376 3.1). */
export function isDkimSelector(value: string): boolean {
  return value.length <= 200 && /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(value);
}

/** Where the public key of `selector` for `domain` is published. */
export function dkimRecordName(selector: string, domain: string): string {
  return `${selector.toLowerCase()}._domainkey.${domain.toLowerCase()}`;
}

/** The TXT value that publishes an RSA public key (`publicKey`: base64 of its SubjectPublicKeyInfo). */
export function dkimRecordValue(publicKey: string): string {
  return `v=DKIM1; k=rsa; p=${publicKey}`;
}

/**
 * A zone-file line for a TXT record: the value cut into quoted strings of at most 255 characters
 * (one DNS character-string each; resolvers join them again), as BIND and most DNS consoles take it.
 */
export function zoneTxtLine(name: string, value: string): string {
  const strings: string[] = [];
  for (let i = 0; i < value.length || i === 0; i += 255) strings.push(`"${value.slice(i, i + 255)}"`);
  return `${name}. IN TXT ( ${strings.join(' ')} )`;
}

/**
 * The tags of a DKIM or DMARC record (`v=DKIM1; k=rsa; p=...`), names in lower case, values with
 * their white space removed (a key may be folded). The last of a repeated tag wins. Linear in the text.
 */
export function recordTags(text: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    if (name !== '') tags.set(name, part.slice(eq + 1).replace(/\s+/g, ''));
  }
  return tags;
}

/** What a published DKIM record says of our key: it is the same key, or what is wrong with it. */
export type DkimRecordVerdict =
  | { kind: 'match' }
  | { kind: 'missing' }
  | { kind: 'several' }
  | { kind: 'revoked' }
  | { kind: 'not-rsa'; k: string }
  | { kind: 'other-key' };

/**
 * Compares the TXT records published at a DKIM name (each already joined from its strings) with
 * our public key (base64 of its SubjectPublicKeyInfo).
 */
export function judgeDkimRecords(records: readonly string[], publicKey: string): DkimRecordVerdict {
  const keys = records.filter((r) => /^\s*v\s*=\s*DKIM1\b/i.test(r) || /(^|;)\s*p\s*=/i.test(r));
  if (keys.length === 0) return { kind: 'missing' };
  if (keys.length > 1) return { kind: 'several' };
  const tags = recordTags(keys[0] ?? '');
  const k = (tags.get('k') ?? 'rsa').toLowerCase();
  if (k !== 'rsa') return { kind: 'not-rsa', k };
  const p = tags.get('p') ?? '';
  if (p === '') return { kind: 'revoked' };
  return p === publicKey ? { kind: 'match' } : { kind: 'other-key' };
}

/** The domain of an address (after its last `@`), in lower case. */
export function domainOfAddress(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
