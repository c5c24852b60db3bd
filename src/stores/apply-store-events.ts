// The events consumer's work: apply a webhook's StoreEvents to contacts, orders,
// carts, products and interests, raising triggers. Every step is idempotent, so a
// redelivered queue message or a duplicate webhook converges on the same state.
import { normalizePhone } from '../contacts/contact-fields';
import { upsertContact, type ContactUpsert } from '../contacts/contacts.service';
import type { StorePlatform } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { normalizeEmail } from '../lib/email-address';
import { AppError } from '../lib/errors';
import { applyCart } from './carts.service';
import { clearPendingConsents, findStoreCustomer, keepPendingConsent, linkStoreCustomer, type PendingConsent, type StoreCustomer } from './contact-store-ids';
import { interestStatement } from './interests.service';
import { applyOrder, applyRefund } from './orders.service';
import { applyInventoryLevel, applyProductVariants, findProductsBySku } from './products.service';
import type { Person, StoreEvent } from './store-events';

/**
 * Where the events came from: the connection keys every store object, the platform names the
 * consent source, the currency fills gaps. `productIds` (SKU -> product id) is read once for a
 * run of events that changes no product (store-event-job.ts) and must cover every SKU they
 * name; without it each event reads its own.
 */
export type EventSource = { connectionId: string; platform: StorePlatform; currency: string; productIds?: Map<string, string> };

type ContactExtras = Omit<ContactUpsert, 'email' | 'phone'>;

type Identity = Pick<ContactUpsert, 'email' | 'phone'>;

function storeCustomer(source: EventSource, person: Person): StoreCustomer | null {
  return person.externalId ? { connectionId: source.connectionId, externalId: person.externalId } : null;
}

/**
 * The email and phone a person is known by. An event without an email (an SMS consent
 * update, an order placed by phone) names the customer by this store's id when a contact
 * already has it; otherwise its phone alone makes an SMS-only contact.
 */
async function personIdentity(tenant: Tenant, person: Person, source: EventSource): Promise<Identity | null> {
  const email = normalizeEmail(person.email);
  // The store's address country reads a number written without +.
  const phone = normalizePhone(person.phone, person.country);
  const customer = storeCustomer(source, person);
  if (!email && customer) {
    const known = await findStoreCustomer(tenant, customer);
    if (known) return { email: known.email, phone: phone ?? known.phone };
  }
  return email || phone ? { email, phone } : null;
}

/** Applies consent changes a store sent for a customer before any contact had its id, then forgets them. */
async function applyPendingConsents(tenant: Tenant, customer: StoreCustomer, identity: Identity, pending: PendingConsent[], source: EventSource, now: number) {
  // One upsert per change: each channel keeps its own time, and an older change than the stored one is ignored.
  for (const consent of pending) {
    const change = consent.channel === 'email' ? { emailConsent: consent.status } : { smsConsent: consent.status };
    await upsertContact(tenant, { ...identity, ...change, consentAt: consent.changedAt }, source.platform, now);
  }
  await clearPendingConsents(tenant, customer, pending);
}

/** Finds or creates the contact a person is (by email or phone); a new one raises `contact_created` in the same batch. */
async function contactFor(tenant: Tenant, person: Person | null, source: EventSource, extras: ContactExtras, now: number): Promise<string | null> {
  const identity = person && (await personIdentity(tenant, person, source));
  if (!person || !identity) return null;
  const { contactId } = await upsertContact(
    tenant,
    { ...identity, firstName: person.firstName, lastName: person.lastName, externalId: person.externalId, registered: person.registered, createdAt: person.createdAt, ...extras },
    source.platform,
    now,
  );
  const customer = storeCustomer(source, person);
  if (customer) await applyPendingConsents(tenant, customer, identity, await linkStoreCustomer(tenant, customer, contactId), source, now);
  return contactId;
}

/** The SKUs of events that name products (orders, carts, interests). */
export function skusOf(events: StoreEvent[]): string[] {
  return events.flatMap((event) => {
    if (event.kind === 'order' || event.kind === 'cart') return event.items.map((item) => item.sku).filter((sku): sku is string => Boolean(sku));
    return event.kind === 'interest' ? [event.sku] : [];
  });
}

/** Product ids by SKU, for the SKUs of this connection's products (`skus` without one are left out). */
export async function productIdsBySku(tenant: Tenant, connectionId: string, skus: string[]): Promise<Map<string, string>> {
  const found = await findProductsBySku(tenant, connectionId, skus);
  return new Map([...found].map(([sku, row]) => [sku, row.id]));
}

function productIdsOf(tenant: Tenant, source: EventSource, event: StoreEvent): Promise<Map<string, string>> {
  return source.productIds ? Promise.resolve(source.productIds) : productIdsBySku(tenant, source.connectionId, skusOf([event]));
}

async function applyConsent(tenant: Tenant, event: Extract<StoreEvent, { kind: 'consent' }>, source: EventSource, now: number): Promise<void> {
  const consent = event.channel === 'email' ? { emailConsent: event.status } : { smsConsent: event.status };
  // A consent update carrying an email or a phone makes the contact when nobody has it yet.
  const contactId = await contactFor(tenant, event.person, source, { ...consent, consentAt: event.at }, now);
  if (contactId) return;
  const customer = storeCustomer(source, event.person);
  if (!customer) throw new AppError('invalid_input', `A ${event.channel} consent update names no customer`);
  // Only this store's customer id, and no contact has it yet: kept, and applied when the customer arrives.
  const pending = { channel: event.channel, status: event.status, changedAt: event.at };
  const arrived = await keepPendingConsent(tenant, customer, pending, now);
  if (arrived) await applyPendingConsents(tenant, customer, arrived, [pending], source, now);
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
  return { contactId, productIds: await productIdsOf(tenant, source, event) };
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
      await applyOrder(tenant, source.connectionId, event, contactId, productIds, now);
      return;
    }
    case 'refund':
      await applyRefund(tenant, source.connectionId, event.orderExternalId, { externalId: event.externalId, amountCents: event.amountCents, at: event.at }, now);
      return;
    case 'cart': {
      const { contactId, productIds } = await buyerAndProducts(tenant, event, source, event.updatedAt, now);
      await applyCart(tenant, source.connectionId, event, contactId, productIds, now);
      return;
    }
    case 'product':
      await applyProductVariants(tenant, source.connectionId, event.variants, event.parentExternalId, event.updatedAt, source.currency, now);
      return;
    case 'inventory':
      await applyInventoryLevel(tenant, source.connectionId, event.inventoryItemId, event.available, event.updatedAt, now);
      return;
    case 'interest': {
      const contactId = await contactFor(tenant, event.person, source, {}, now);
      const productId = (await productIdsOf(tenant, source, event)).get(event.sku);
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
