// StoreEvent: what a store webhook means, independent of the platform that sent it.
// Adapters turn Shopify, WooCommerce and generic payloads into these; the events
// consumer applies them. Stored as JSON between the two, and re-validated on read.
import { z } from 'zod';
import { CONSENT_CHANNELS, CONSENT_STATUSES, ORDER_STATUSES } from '../db/schema';

const Time = z.number().int().nonnegative();
const Money = z.number().int();

export const ConsentUpdate = z.object({ status: z.enum(CONSENT_STATUSES), at: Time });

/** A line of an order or cart. */
export const LineItem = z.object({
  sku: z.string().nullable(),
  productExternalId: z.string().nullable(),
  title: z.string(),
  quantity: z.number().int().nonnegative(),
  unitPriceCents: Money,
  imageUrl: z.string().nullable().optional(),
});
export type LineItem = z.infer<typeof LineItem>;

/** The person behind a store record, as much as the store told us. */
export const Person = z.object({
  email: z.string().nullable(),
  phone: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  externalId: z.string().nullable(),
  // Has an account in the store (as opposed to checking out as a guest).
  registered: z.boolean(),
  country: z.string().nullable().optional(),
  // When the store first knew the person (its customer record's created_at, else the order's or checkout's).
  createdAt: Time.nullish(),
});
export type Person = z.infer<typeof Person>;

export const CustomerEvent = z.object({
  kind: z.literal('customer'),
  person: Person,
  emailConsent: ConsentUpdate.nullable(),
  smsConsent: ConsentUpdate.nullable(),
  tags: z.array(z.string()),
  updatedAt: Time.nullable(),
});

// When the buyer accepted SMS marketing at checkout (null: they did not). Like the email
// box, it only ever subscribes; its own time lets a later unsubscribe win.
const SmsOptInAt = Time.nullish();

export const OrderEvent = z.object({
  kind: z.literal('order'),
  externalId: z.string(),
  // The store's label for it (Shopify's "#1001"); the external id is its internal id.
  name: z.string().nullish(),
  person: Person.nullable(),
  status: z.enum(ORDER_STATUSES),
  currency: z.string(),
  totalCents: Money,
  refunds: z.array(z.object({ externalId: z.string(), amountCents: Money, at: Time })),
  placedAt: Time,
  shippedAt: Time.nullable(),
  updatedAt: Time.nullable(),
  cartExternalId: z.string().nullable(),
  items: z.array(LineItem),
  // Ticked "email me offers" at checkout; false never unsubscribes anyone.
  acceptsEmailMarketing: z.boolean(),
  smsOptInAt: SmsOptInAt,
});
export type OrderEvent = z.infer<typeof OrderEvent>;

export const RefundEvent = z.object({
  kind: z.literal('refund'),
  orderExternalId: z.string(),
  externalId: z.string(),
  amountCents: Money,
  at: Time,
});

export const CartEvent = z.object({
  kind: z.literal('cart'),
  externalId: z.string(),
  person: Person.nullable(),
  currency: z.string(),
  valueCents: Money,
  items: z.array(LineItem),
  recoveryUrl: z.string().nullable(),
  completed: z.boolean(),
  updatedAt: Time,
  acceptsEmailMarketing: z.boolean(),
  smsOptInAt: SmsOptInAt,
});
export type CartEvent = z.infer<typeof CartEvent>;

/** One sellable variant (one SKU). */
export const ProductVariant = z.object({
  externalId: z.string(),
  sku: z.string(),
  title: z.string(),
  priceCents: Money,
  // The price before a sale (WooCommerce's regular price, Shopify's compare-at price), when the store sends one.
  regularPriceCents: Money.nullish(),
  currency: z.string().nullable(),
  inventory: z.number().int().nullable(),
  inventoryItemId: z.string().nullable(),
  url: z.string().nullable(),
  imageUrl: z.string().nullable(),
});
export type ProductVariant = z.infer<typeof ProductVariant>;

export const ProductEvent = z.object({
  kind: z.literal('product'),
  parentExternalId: z.string(),
  variants: z.array(ProductVariant),
  updatedAt: Time.nullable(),
});

export const InventoryEvent = z.object({
  kind: z.literal('inventory'),
  inventoryItemId: z.string(),
  available: z.number().int(),
  updatedAt: Time.nullable(),
});

export const InterestEvent = z.object({
  kind: z.literal('interest'),
  person: Person,
  sku: z.string(),
  interest: z.enum(['viewed', 'back_in_stock']),
  at: Time,
});

export const ConsentEvent = z.object({
  kind: z.literal('consent'),
  person: Person,
  channel: z.enum(CONSENT_CHANNELS),
  status: z.enum(CONSENT_STATUSES),
  at: Time,
});

export const StoreEvent = z.discriminatedUnion('kind', [CustomerEvent, OrderEvent, RefundEvent, CartEvent, ProductEvent, InventoryEvent, InterestEvent, ConsentEvent]);
export type StoreEvent = z.infer<typeof StoreEvent>;

export const StoreEvents = z.array(StoreEvent);
