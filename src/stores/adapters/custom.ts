// The generic event format, for any store or cart that can POST signed JSON.
// Documented in the README ("Generic store events"). Amounts are minor units.
import { z } from 'zod';
import { CONSENT_STATUSES, type OrderStatus } from '../../db/schema';
import { parseOrThrow } from '../../lib/validation';
import { normalizeEmail } from '../../lib/email-address';
import { CurrencyCode, ExternalId, MAX_SKU_LENGTH, OptionalPhone, OptionalSku, OptionalText, Timestamp } from '../payload-values';
import type { Person, StoreEvent } from '../store-events';
import type { AdapterResult } from './adapter';

// zod's int() is a safe integer: amounts beyond 2^53 - 1 minor units are refused, not rounded.
const Cents = z.number().int();
const Sku = z.string().min(1).max(MAX_SKU_LENGTH);
// Checked here, with the rule contacts use, so the sender hears of a bad address (400), not the consumer.
const Email = z
  .string()
  .trim()
  .max(254)
  .refine((email) => normalizeEmail(email) !== null, { message: 'Expected an email address' });

const Contact = z.object({
  email: Email.nullish(),
  phone: OptionalPhone,
  firstName: OptionalText,
  lastName: OptionalText,
  externalId: ExternalId.nullish(),
  registered: z.boolean().default(false),
  country: OptionalText,
});

const Item = z.object({
  sku: OptionalSku,
  productId: ExternalId.nullish(),
  title: z.string().min(1),
  quantity: z.number().int().positive(),
  unitPriceCents: Cents,
  imageUrl: OptionalText,
});

// Far beyond any real order, and bounding the work one event can cause.
const Items = z.array(Item).max(1000).default([]);

const Envelope = z.object({
  id: z.string().min(1).max(200),
  type: z.string().min(1).max(100),
  occurredAt: Timestamp,
  data: z.unknown(),
});
export type CustomEnvelope = z.infer<typeof Envelope>;

const CustomerData = Contact.extend({
  email: Email,
  emailConsent: z.enum(CONSENT_STATUSES).nullish(),
  smsConsent: z.enum(CONSENT_STATUSES).nullish(),
  tags: z.array(z.string()).default([]),
});

const OrderData = z.object({
  externalId: ExternalId,
  // The store's label for the order ("#1001"); the external id when absent.
  name: OptionalText,
  customer: Contact,
  currency: CurrencyCode,
  totalCents: Cents,
  refundedCents: Cents.default(0),
  placedAt: Timestamp.nullish(),
  cartId: OptionalText,
  acceptsMarketing: z.boolean().default(false),
  items: Items,
});

const CartData = z.object({
  externalId: ExternalId,
  customer: Contact.nullish(),
  currency: CurrencyCode,
  valueCents: Cents,
  recoveryUrl: OptionalText,
  completed: z.boolean().default(false),
  acceptsMarketing: z.boolean().default(false),
  items: Items,
});

const ProductData = z.object({
  externalId: ExternalId,
  sku: Sku,
  title: z.string().min(1),
  priceCents: Cents,
  // The price before a sale: a product first seen below it is a price drop.
  regularPriceCents: Cents.nullish(),
  currency: CurrencyCode.nullish(),
  inventory: z.number().int().nullish(),
  url: OptionalText,
  imageUrl: OptionalText,
});

const InterestData = z.object({ customer: Contact.extend({ email: Email }), sku: Sku });

const ORDER_TYPES: Record<string, OrderStatus> = {
  'order.placed': 'placed',
  'order.paid': 'paid',
  'order.completed': 'completed',
  'order.shipped': 'shipped',
  'order.refunded': 'refunded',
  'order.cancelled': 'cancelled',
  'order.failed': 'failed',
};

function personOf(contact: z.infer<typeof Contact>): Person {
  return {
    email: contact.email ?? null,
    phone: contact.phone,
    firstName: contact.firstName,
    lastName: contact.lastName,
    externalId: contact.externalId ?? null,
    registered: contact.registered,
    country: contact.country,
  };
}

function items(list: z.infer<typeof Item>[]) {
  return list.map((item) => ({ sku: item.sku, productExternalId: item.productId ?? null, title: item.title, quantity: item.quantity, unitPriceCents: item.unitPriceCents, imageUrl: item.imageUrl }));
}

/** Reads the envelope (for its id, the dedupe key); throws `invalid_input` naming the field. */
export function readCustomEnvelope(body: unknown): CustomEnvelope {
  return parseOrThrow(Envelope, body);
}

/** The StoreEvents of a generic event; `data.` prefixes field names in errors. */
export function mapCustomEvent(envelope: CustomEnvelope): AdapterResult {
  const at = envelope.occurredAt;
  const data = (schema: z.ZodType) => parseOrThrow(z.object({ data: schema }), { data: envelope.data });
  const orderStatus = ORDER_TYPES[envelope.type];
  if (orderStatus) {
    const { data: order } = data(OrderData) as { data: z.infer<typeof OrderData> };
    return [
      {
        kind: 'order',
        externalId: order.externalId,
        name: order.name,
        person: personOf(order.customer),
        status: orderStatus,
        currency: order.currency,
        totalCents: order.totalCents,
        refunds: order.refundedCents ? [{ externalId: `${order.externalId}:total`, amountCents: order.refundedCents, at }] : [],
        placedAt: order.placedAt ?? at,
        shippedAt: orderStatus === 'shipped' ? at : null,
        updatedAt: at,
        cartExternalId: order.cartId,
        items: items(order.items),
        acceptsEmailMarketing: order.acceptsMarketing,
      },
    ];
  }
  switch (envelope.type) {
    case 'customer.upserted': {
      const { data: customer } = data(CustomerData) as { data: z.infer<typeof CustomerData> };
      const consent = (status: z.infer<typeof CustomerData>['emailConsent']) => (status ? { status, at } : null);
      return [{ kind: 'customer', person: personOf(customer), emailConsent: consent(customer.emailConsent), smsConsent: consent(customer.smsConsent), tags: customer.tags, updatedAt: at }];
    }
    case 'cart.updated': {
      const { data: cart } = data(CartData) as { data: z.infer<typeof CartData> };
      return [
        {
          kind: 'cart',
          externalId: cart.externalId,
          person: cart.customer ? personOf(cart.customer) : null,
          currency: cart.currency,
          valueCents: cart.valueCents,
          items: items(cart.items),
          recoveryUrl: cart.recoveryUrl,
          completed: cart.completed,
          updatedAt: at,
          acceptsEmailMarketing: cart.acceptsMarketing,
        },
      ];
    }
    case 'product.updated': {
      const { data: product } = data(ProductData) as { data: z.infer<typeof ProductData> };
      const variant = { ...product, currency: product.currency ?? null, inventory: product.inventory ?? null, inventoryItemId: null };
      return [{ kind: 'product', parentExternalId: product.externalId, variants: [variant], updatedAt: at } satisfies StoreEvent];
    }
    case 'product.viewed':
    case 'back_in_stock.subscribed': {
      const { data: interest } = data(InterestData) as { data: z.infer<typeof InterestData> };
      return [{ kind: 'interest', person: personOf(interest.customer), sku: interest.sku, interest: envelope.type === 'product.viewed' ? 'viewed' : 'back_in_stock', at }];
    }
    default:
      return null;
  }
}
