// The settings of a routing address that decide on mail (SPEC §7): who may write to it, who is
// blocked, how many new cases one sender may open in an hour, and the auto-response template. Pure.
import { domainOf, isDomainName, isEmailAddress, normalizeEmail } from './address.js';

/** The rate limit and the auto-response both count over the last hour. */
export const ROUTING_WINDOW_MS = 60 * 60 * 1000;

/** An entry of a sender list: a whole address or `@domain`, lowercase. */
export type SenderList = readonly string[];

/**
 * Parses `a@example.com, @example.org` into its entries; '' is the empty list. Returns the entries
 * that are neither an address nor `@domain` as `bad`.
 */
export function parseSenderList(value: string): { entries: string[] } | { bad: string[] } {
  const entries = value
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '');
  const bad = entries.filter((e) => !(e.startsWith('@') ? isDomainName(e.slice(1)) && e.length > 1 : isEmailAddress(e)));
  return bad.length > 0 ? { bad } : { entries: [...new Set(entries)] };
}

/** The stored form of a list: entries joined by commas ('' = empty). */
export const formatSenderList = (entries: SenderList): string => entries.join(',');
export const senderListOf = (stored: string): string[] => (stored === '' ? [] : stored.split(','));

/** The sender is on the list: its whole address, or `@` and exactly its domain (not subdomains). */
export function onSenderList(sender: string, list: SenderList): boolean {
  const address = normalizeEmail(sender);
  const domain = `@${domainOf(address)}`;
  return list.some((e) => e === address || e === domain);
}

export type SenderVerdict = 'ok' | 'blocked' | 'not-accepted';

/** Blocked wins; a non-empty accept list takes only its senders; a message without sender is never accepted by a list. */
export function checkSender(sender: string | null, rules: { acceptFrom: SenderList; block: SenderList }): SenderVerdict {
  if (sender !== null && onSenderList(sender, rules.block)) return 'blocked';
  if (rules.acceptFrom.length === 0) return 'ok';
  return sender !== null && onSenderList(sender, rules.acceptFrom) ? 'ok' : 'not-accepted';
}

/** The placeholders an auto-response template may use, and what fills them. */
export const TEMPLATE_PLACEHOLDERS = Object.freeze(['case.number', 'case.subject', 'contact.firstName', 'replyAddress'] as const);
export type Placeholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholders of `template` that are not known, each once, in order. */
export function unknownPlaceholders(template: string): string[] {
  const names = [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
  return [...new Set(names.filter((n) => !(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(n)))];
}

/** Fills every placeholder; one that is not known stays as written (checked when the template is stored). */
export function renderTemplate(template: string, values: Readonly<Record<Placeholder, string>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => ((TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name) ? values[name as Placeholder] : whole));
}

/** `--auto-response-if`: absent (null) always; else the text in the subject or body, letter case ignored. */
export function autoResponseWanted(condition: string | null, message: { subject: string; body: string }): boolean {
  if (condition === null || condition === '') return true;
  const wanted = condition.toLowerCase();
  return message.subject.toLowerCase().includes(wanted) || message.body.toLowerCase().includes(wanted);
}

/** `{{contact.firstName}}`: the contact's first name, else the first word of the sender's display name, else ''. */
export function firstNameFor(contactFirstName: string | null, displayName: string | null): string {
  if (contactFirstName !== null && contactFirstName.trim() !== '') return contactFirstName.trim();
  return (displayName ?? '').trim().split(/\s+/)[0] ?? '';
}
