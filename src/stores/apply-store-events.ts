// The events consumer's work: apply a webhook's StoreEvents to contacts, orders,
// carts, products and interests, raising triggers. Every step is idempotent, so a
// redelivered queue message or a duplicate webhook converges on the same state.
import { eq } from 'drizzle-orm';
import { normalizePhone } from '../contacts/contact-fields';
import { upsertContact, type ContactUpsert } from '../contacts/contacts.service';
import { contacts, type StorePlatform } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { normalizeEmail } from '../lib/email-address';
import { AppError } from '../lib/errors';
import { attributeOrder } from '../tracking/attribution';
import { applyCart } from './carts.service';
import { interestStatement } from './interests.service';
import { applyOrder, applyRefund } from './orders.service';
import { applyInventoryLevel, applyProductVariants, findProductsBySku } from './products.service';
import type { Person, StoreEvent } from './store-events';

/** Where the events came from: the platform names the consent source, the currency fills gaps. */
export type EventSource = { platform: StorePlatform; currency: string };

type ContactExtras = Omit<ContactUpsert, 'email' | 'phone'>;

/**
 * The email and phone a person is known by. An event without an email (an SMS consent
 * update, an order placed by phone) names the customer by the store's id when a contact
 * already has it; otherwise its phone alone makes an SMS-only contact.
 */
async function personIdentity(tenant: Tenant, person: Person): Promise<Pick<ContactUpsert, 'email' | 'phone'> | null> {
  const email = normalizeEmail(person.email);
  // The store's address country reads a number written without +.
  const phone = normalizePhone(person.phone, person.country);
  if (!email && person.externalId) {
    const [known] = await tenant.db
      .select({ email: contacts.email, phone: contacts.phone })
      .from(contacts)
      .where(tenant.where(contacts, eq(contacts.externalId, person.externalId)))
      .limit(1);
    if (known) return { email: known.email, phone: phone ?? known.phone };
  }
  return email || phone ? { email, phone } : null;
}

/** Finds or creates the contact a person is (by email or phone); a new one raises `contact_created` in the same batch. */
async function contactFor(tenant: Tenant, person: Person | null, source: EventSource, extras: ContactExtras, now: number): Promise<string | null> {
  const identity = person && (await personIdentity(tenant, person));
  if (!person || !identity) return null;
  const { contactId } = await upsertContact(
    tenant,
    { ...identity, firstName: person.firstName, lastName: person.lastName, externalId: person.externalId, registered: person.registered, ...extras },
    source.platform,
    now,
  );
  return contactId;
}

async function productIdsBySku(tenant: Tenant, skus: (string | null)[]): Promise<Map<string, string>> {
  const found = await findProductsBySku(
    tenant,
    skus.filter((sku): sku is string => Boolean(sku)),
  );
  return new Map([...found].map(([sku, row]) => [sku, row.id]));
}

async function applyConsent(tenant: Tenant, event: Extract<StoreEvent, { kind: 'consent' }>, source: EventSource, now: number): Promise<void> {
  const consent = event.channel === 'email' ? { emailConsent: event.status } : { smsConsent: event.status };
  // A consent update carrying a phone makes an SMS-only subscriber when nobody has it yet.
  const contactId = await contactFor(tenant, event.person, source, { ...consent, consentAt: event.at }, now);
  // Only the store's customer id, and no contact has it yet: the customer record usually comes first; retrying lets it land.
  if (!contactId) throw new AppError('not_found', `No contact yet for ${event.channel} consent of customer ${event.person.externalId ?? event.person.phone}`);
}

/** "Email me offers" ticked at checkout subscribes; unticked changes nothing (it is not an unsubscribe). */
function checkoutConsent(accepted: boolean, at: number): ContactExtras {
  return accepted ? { emailConsent: 'subscribed', consentAt: at } : {};
}

/**
 * The contact behind an order or a checkout (its "email me offers" box as of `at`, its SMS
 * opt-in as of its own time) and the ids of the products it names.
 */
async function buyerAndProducts(tenant: Tenant, event: Extract<StoreEvent, { kind: 'order' | 'cart' }>, source: EventSource, at: number, now: number) {
  const contactId = await contactFor(tenant, event.person, source, checkoutConsent(event.acceptsEmailMarketing, at), now);
  // A second write, as for customers: each channel's consent keeps its own time. SMS consent needs the number it is for.
  if (contactId && event.smsOptInAt != null && event.person?.phone) {
    await contactFor(tenant, event.person, source, { smsConsent: 'subscribed', consentAt: event.smsOptInAt }, now);
  }
  const productIds = await productIdsBySku(
    tenant,
    event.items.map((item) => item.sku),
  );
  return { contactId, productIds };
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
      const { contactId, productIds } = await buyerAndProducts(tenant, event, source, event.placedAt, now);
      await applyOrder(tenant, event, contactId, productIds, now);
      await attributeOrder(tenant, event.externalId);
      return;
    }
    case 'refund':
      await applyRefund(tenant, event.orderExternalId, { externalId: event.externalId, amountCents: event.amountCents, at: event.at }, now);
      await attributeOrder(tenant, event.orderExternalId);
      return;
    case 'cart': {
      const { contactId, productIds } = await buyerAndProducts(tenant, event, source, event.updatedAt, now);
      await applyCart(tenant, event, contactId, productIds, now);
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
