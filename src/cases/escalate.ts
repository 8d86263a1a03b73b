// Escalating a customer's issue to a case (SPEC §8, seed 002), for the HTTP API: the customer's
// contact is found by email, else name, else username/handle/external id, and created when none
// matches (syncContacts on); off, or when several match, the case stays unlinked and keeps the
// customer's email and name for its suggested contacts.
import type { Config } from '../config.js';
import type { Tx } from '../db/engine.js';
import type { CaseRow } from '../db/cases.js';
import { allContacts, contactById, type ContactRow } from '../db/contacts.js';
import { localPartOf } from '../domain/address.js';
import { matchCustomer, type Customer } from '../domain/contacts.js';
import { createContact } from '../admin/contacts.js';
import { checkEmail, requirePriority } from '../admin/input.js';
import { openIncomingCase } from './open.js';

export interface Escalation {
  subject: string;
  description?: string;
  priority?: string;
  origin?: string;
  customer: Customer;
}

export async function escalateCase(
  tx: Tx,
  config: Pick<Config, 'domain' | 'defaultOwner' | 'syncContacts'>,
  input: Escalation,
  now = Date.now(),
): Promise<CaseRow> {
  const customer = trimmed(input.customer);
  const email = customer.email ? checkEmail(customer.email, 'customer email') : null;
  const priority = input.priority ? requirePriority(input.priority) : 'Medium';
  const name = [customer.firstName, customer.lastName].filter(Boolean).join(' ');
  let contact: ContactRow | null = null;
  if (config.syncContacts) {
    const match = matchCustomer(customer, await allContacts(tx));
    if (match.kind === 'linked') {
      contact = match.contact;
    } else if (match.kind === 'none' && email !== null) {
      const made = await createContact(
        tx,
        {
          email,
          firstName: customer.firstName || (customer.lastName ? '' : localPartOf(email)),
          lastName: customer.lastName ?? '',
          username: customer.username,
          handle: customer.handle,
          externalId: customer.externalId,
        },
        now,
      );
      contact = await contactById(tx, made.contact.id) ?? null;
    }
  }
  return await openIncomingCase(
    tx,
    config,
    {
      subject: input.subject,
      description: input.description ?? '',
      contact,
      priority,
      origin: input.origin?.trim() || 'API',
      supplied: contact === null && email !== null ? { email, name } : null,
    },
    now,
  );
}

function trimmed(c: Customer): Customer {
  const t = (v: string | null | undefined): string | null => (v?.trim() ? v.trim() : null);
  return { email: t(c.email), firstName: t(c.firstName), lastName: t(c.lastName), username: t(c.username), handle: t(c.handle), externalId: t(c.externalId) };
}
