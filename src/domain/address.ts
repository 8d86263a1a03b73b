// Email address checks and normal forms. Pure.

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** True for a plain addr-spec such as `ann@example.com` (no display name, no quotes). */
export function isEmailAddress(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  const lower = domain.toLowerCase();
  return local.length <= 64 && LOCAL.test(local) && isDomainName(lower) && (lower.includes('.') || lower === 'localhost');
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
