// Email address checks and normal forms. Pure.

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** True for a plain addr-spec such as `ann@example.com` (no display name, no quotes, no encoded word). */
export function isEmailAddress(value: string): boolean {
  return addressProblem(value) === null;
}

/**
 * Why `value` is not a plain addr-spec, in a few words for an error message, or null when it is one.
 * An RFC 2047 encoded word (`=?utf-8?q?…?=`) is the encoding of a display name, never part of an
 * address (RFC 2047 §5): mail clients decode it, so `=?utf-8?q?ann?=@x` would show as someone else.
 */
export function addressProblem(value: string): string | null {
  if (value.length > 254) return 'longer than 254 characters';
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return 'no local part and domain around an @';
  const local = value.slice(0, at);
  const lower = value.slice(at + 1).toLowerCase();
  if (local.includes('=?')) return 'an encoded word (=?…?=) is a display name\'s encoding, not an address';
  if (local.length > 64 || !LOCAL.test(local)) return 'the part before the @ has characters an address cannot have, or is too long';
  if (!isDomainName(lower) || !(lower.includes('.') || lower === 'localhost')) return 'the part after the @ is not a domain name';
  return null;
}

export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

export function localPartOf(address: string): string {
  return address.slice(0, address.lastIndexOf('@'));
}

const DOMAIN_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** A lower-case domain name such as `example.com` (one label, e.g. `localhost`, is allowed). */
export function isDomainName(value: string): boolean {
  return DOMAIN_NAME.test(value);
}
