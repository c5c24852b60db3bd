// The events consumer's work: apply a webhook's StoreEvents to contacts, orders,
// carts, products and interests, raising triggers. Every step is idempotent, so a
// redelivered queue message or a duplicate webhook converges on the same state.
import { eq, or } from 'drizzle-orm';
import { normalizeEmail, normalizePhone, upsertContact } from '../contacts/contacts.service';
import { contacts, type StorePlatform } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { AppError } from '../lib/errors';
import { emitTrigger } from '../triggers/triggers';
import { applyCart } from './carts.service';
import { interestStatement } from './interests.service';
import { applyOrder, applyRefund } from './orders.service';
import { applyInventoryLevel, applyProductVariants, findProductsBySku } from './products.service';
import type { Person, StoreEvent } from './store-events';

/** Where the events came from: the platform names the consent source, the currency fills gaps. */
export type EventSource = { platform: StorePlatform; currency: string };

type ContactExtras = Parameters<typeof upsertContact>[1];

/** Finds or creates the contact a person is (by email), raising `contact_created` the first time. */
async function contactFor(tenant: Tenant, person: Person | null, source: EventSource, extras: Partial<ContactExtras>, now: number): Promise<string | null> {
  if (!person) return null;
  const email = normalizeEmail(person.email);
  if (!email) return findContactByIdentity(tenant, person);
  const { contactId, created } = await upsertContact(
    tenant,
    {
      email,
      phone: normalizePhone(person.phone, person.country),
      firstName: person.firstName,
      lastName: person.lastName,
      externalId: person.externalId,
      registered: person.registered,
      ...extras,
    },
    source.platform,
    now,
  );
  if (created) {
    await emitTrigger(tenant, { kind: 'contact_created', occurrenceKey: contactId, contactId, subjectId: contactId, data: { source: source.platform }, occurredAt: now });
  }
  return contactId;
}

/** A known contact by store customer id or phone, for events that carry no email. */
async function findContactByIdentity(tenant: Tenant, person: Person): Promise<string | null> {
  const phone = normalizePhone(person.phone, person.country);
  const conditions = [person.externalId ? eq(contacts.externalId, person.externalId) : undefined, phone ? eq(contacts.phone, phone) : undefined].filter(Boolean);
  if (!conditions.length) return null;
  const [row] = await tenant.db.select({ id: contacts.id }).from(contacts).where(tenant.where(contacts, or(...conditions))).limit(1);
  return row?.id ?? null;
}

async function productIdsBySku(tenant: Tenant, skus: (string | null)[]): Promise<Map<string, string>> {
  const found = await findProductsBySku(tenant, skus.filter((sku): sku is string => Boolean(sku)));
  return new Map([...found].map(([sku, row]) => [sku, row.id]));
}

async function applyConsent(tenant: Tenant, event: Extract<StoreEvent, { kind: 'consent' }>, source: EventSource, now: number): Promise<void> {
  const consent = event.channel === 'email' ? { emailConsent: event.status } : { smsConsent: event.status };
  let email = normalizeEmail(event.person.email);
  if (!email) {
    const contactId = await findContactByIdentity(tenant, event.person);
    const [row] = contactId ? await tenant.db.select({ email: contacts.email }).from(contacts).where(tenant.where(contacts, eq(contacts.id, contactId))).limit(1) : [];
    email = row?.email ?? null;
  }
  // The customer record usually comes first; when it has not yet, retrying lets it land.
  if (!email) throw new AppError('not_found', `No contact yet for ${event.channel} consent of customer ${event.person.externalId ?? event.person.phone}`);
  await upsertContact(tenant, { email, ...consent, consentAt: event.at }, source.platform, now);
}

/** "Email me offers" ticked at checkout subscribes; unticked changes nothing (it is not an unsubscribe). */
function checkoutConsent(accepted: boolean, at: number): Partial<ContactExtras> {
  return accepted ? { emailConsent: 'subscribed', consentAt: at } : {};
}

/** Applies one StoreEvent. */
export async function applyStoreEvent(tenant: Tenant, event: StoreEvent, source: EventSource, now = Date.now()): Promise<void> {
  switch (event.kind) {
    case 'customer': {
      const email = event.emailConsent ? { emailConsent: event.emailConsent.status, consentAt: event.emailConsent.at } : {};
      const contactId = await contactFor(tenant, event.person, source, { ...email, tags: event.tags, sourceUpdatedAt: event.updatedAt }, now);
      // Each channel's consent keeps its own time, so SMS is a second write when both arrive.
      if (contactId && event.smsConsent) {
        await contactFor(tenant, event.person, source, { smsConsent: event.smsConsent.status, consentAt: event.smsConsent.at, sourceUpdatedAt: event.updatedAt }, now);
      }
      return;
    }
    case 'order': {
      const contactId = await contactFor(tenant, event.person, source, checkoutConsent(event.acceptsEmailMarketing, event.placedAt), now);
      await applyOrder(tenant, event, contactId, await productIdsBySku(tenant, event.items.map((item) => item.sku)), now);
      return;
    }
    case 'refund':
      await applyRefund(tenant, event.orderExternalId, { externalId: event.externalId, amountCents: event.amountCents, at: event.at }, now);
      return;
    case 'cart': {
      const contactId = await contactFor(tenant, event.person, source, checkoutConsent(event.acceptsEmailMarketing, event.updatedAt), now);
      await applyCart(tenant, event, contactId, await productIdsBySku(tenant, event.items.map((item) => item.sku)), now);
      return;
    }
    case 'product':
      await applyProductVariants(tenant, event.variants, event.parentExternalId, event.updatedAt, source.currency, now);
      return;
    case 'inventory':
      await applyInventoryLevel(tenant, event.inventoryItemId, event.available, event.updatedAt, now);
      return;
    case 'interest': {
      const contactId = await contactFor(tenant, event.person, source, {}, now);
      const productId = (await productIdsBySku(tenant, [event.sku])).get(event.sku);
      if (!contactId) return;
      if (!productId) throw new AppError('not_found', `No product with SKU ${event.sku} yet`);
      await interestStatement(tenant, { contactId, productId, kind: event.interest, at: event.at });
      return;
    }
    case 'consent':
      await applyConsent(tenant, event, source, now);
      return;
  }
}
