// Shopify webhooks (Admin API 2024-10 through 2025-x payloads) to StoreEvents.
// Since 2025-01, consent arrives on its own topics; older pinned versions embed it
// in customers/create|update, so both are read.
import { z } from 'zod';
import type { ConsentStatus, OrderStatus } from '../../db/schema';
import { parseOrThrow } from '../../lib/validation';
import {
  Amount,
  CurrencyCode,
  ExternalId,
  MAX_EXTERNAL_ID_LENGTH,
  minorUnitsOf,
  OptionalEmail,
  OptionalKey,
  OptionalPhone,
  OptionalSku,
  OptionalText,
  sumMinorUnits,
  Timestamp,
} from '../payload-values';
import type { LineItem, Person, ProductVariant, StoreEvent } from '../store-events';
import type { AdapterResult, WebhookContext } from './adapter';

// Beyond any real shop's (Shopify caps a cart at 500 lines and a product at 2,048 variants),
// and bounding the work one webhook can cause.
const MAX_LINES = 1000;
const MAX_VARIANTS = 2048;
const MAX_REFUNDS = 250;

const ShopifyConsent = z.object({ state: z.string().nullish(), consent_updated_at: Timestamp.nullish() }).nullish();

const ShopifyCustomer = z.object({
  id: ExternalId,
  email: OptionalEmail,
  phone: OptionalPhone,
  first_name: OptionalText,
  last_name: OptionalText,
  state: z.string().nullish(),
  tags: z.string().nullish(),
  created_at: Timestamp.nullish(),
  updated_at: Timestamp.nullish(),
  email_marketing_consent: ShopifyConsent,
  sms_marketing_consent: ShopifyConsent,
  default_address: z.object({ country_code: z.string().nullish(), phone: OptionalPhone }).nullish(),
});
type ShopifyCustomer = z.infer<typeof ShopifyCustomer>;

const ShopifyLineItem = z.object({
  sku: OptionalSku,
  title: z.string().nullish(),
  name: z.string().nullish(),
  quantity: z.number().int().nonnegative(),
  price: Amount,
  product_id: ExternalId.nullish(),
  variant_id: ExternalId.nullish(),
});

const ShopifyTransaction = z.object({ amount: Amount, kind: z.string().nullish(), status: z.string().nullish() });
const CartToken = OptionalKey(MAX_EXTERNAL_ID_LENGTH);

const ShopifyRefund = z.object({
  id: ExternalId,
  order_id: ExternalId,
  created_at: Timestamp,
  transactions: z.array(ShopifyTransaction).max(MAX_REFUNDS).nullish(),
});

const ShopifyOrder = z.object({
  id: ExternalId,
  // "#1001": what the merchant and the buyer call the order.
  name: OptionalText,
  email: OptionalEmail,
  contact_email: OptionalEmail,
  phone: OptionalPhone,
  created_at: Timestamp,
  updated_at: Timestamp.nullish(),
  cancelled_at: Timestamp.nullish(),
  currency: CurrencyCode,
  total_price: Amount,
  financial_status: z.string().nullish(),
  fulfillment_status: z.string().nullish(),
  buyer_accepts_marketing: z.boolean().nullish(),
  checkout_token: CartToken,
  customer: ShopifyCustomer.nullish(),
  line_items: z.array(ShopifyLineItem).max(MAX_LINES).default([]),
  refunds: z.array(ShopifyRefund).max(MAX_REFUNDS).nullish(),
  fulfillments: z.array(z.object({ created_at: Timestamp.nullish() })).nullish(),
  billing_address: z.object({ country_code: z.string().nullish() }).nullish(),
});

const ShopifyCheckout = z.object({
  id: ExternalId,
  token: CartToken,
  email: OptionalEmail,
  phone: OptionalPhone,
  created_at: Timestamp.nullish(),
  updated_at: Timestamp,
  completed_at: Timestamp.nullish(),
  currency: CurrencyCode.nullish(),
  presentment_currency: CurrencyCode.nullish(),
  total_price: Amount,
  abandoned_checkout_url: OptionalText,
  buyer_accepts_marketing: z.boolean().nullish(),
  // The checkout's SMS marketing box, and the number it was ticked for.
  buyer_accepts_sms: z.boolean().nullish(),
  sms_marketing_phone: OptionalPhone,
  customer: ShopifyCustomer.nullish(),
  line_items: z.array(ShopifyLineItem).max(MAX_LINES).default([]),
});

const ShopifyProduct = z.object({
  id: ExternalId,
  title: z.string(),
  handle: z.string().nullish(),
  updated_at: Timestamp.nullish(),
  image: z.object({ src: z.string() }).nullish(),
  variants: z
    .array(
      z.object({
        id: ExternalId,
        title: z.string().nullish(),
        price: Amount,
        // null, or "" from some API versions, when the variant has none.
        compare_at_price: z.union([z.literal('').transform(() => null), Amount]).nullish(),
        sku: OptionalSku,
        inventory_item_id: ExternalId.nullish(),
        inventory_quantity: z.number().int().nullish(),
      }),
    )
    .max(MAX_VARIANTS)
    .default([]),
});

const ShopifyInventoryLevel = z.object({
  inventory_item_id: ExternalId,
  available: z.number().int().nullable(),
  updated_at: Timestamp.nullish(),
});

const ShopifyEmailConsentUpdate = z.object({
  customer_id: ExternalId,
  email_address: OptionalEmail,
  email_marketing_consent: ShopifyConsent,
});

const ShopifySmsConsentUpdate = z.object({
  id: ExternalId,
  phone: OptionalPhone,
  sms_marketing_consent: ShopifyConsent,
});

/** Shopify's consent states in ours: pending (double opt-in not confirmed), invalid and redacted are not consent. */
function consentStatus(state: string | null | undefined): ConsentStatus | null {
  if (!state) return null;
  if (state === 'subscribed') return 'subscribed';
  if (state === 'unsubscribed') return 'unsubscribed';
  return 'not_subscribed';
}

function consentUpdate(consent: z.infer<typeof ShopifyConsent>, fallbackAt: number) {
  const status = consentStatus(consent?.state);
  return status ? { status, at: consent?.consent_updated_at ?? fallbackAt } : null;
}

/** The person behind a record; `knownSince` (the order's or checkout's creation) stands in for a customer record's created_at. */
function personOf(customer: ShopifyCustomer | null | undefined, email: string | null, phone: string | null, country?: string | null, knownSince?: number | null): Person {
  return {
    email: email ?? customer?.email ?? null,
    phone: phone ?? customer?.phone ?? customer?.default_address?.phone ?? null,
    firstName: customer?.first_name ?? null,
    lastName: customer?.last_name ?? null,
    externalId: customer?.id ?? null,
    // Shopify keeps a customer record for guests too; only "enabled" ones have an account.
    registered: customer?.state === 'enabled',
    country: country ?? customer?.default_address?.country_code ?? null,
    createdAt: customer?.created_at ?? knownSince ?? null,
  };
}

/**
 * When the buyer accepted SMS marketing, from the checkout's box (at `at`) or the SMS
 * consent of the customer it embeds (at that consent's own time); null when neither says so.
 */
function smsOptInAt(customer: ShopifyCustomer | null | undefined, acceptedAtCheckout: boolean, at: number): number | null {
  if (acceptedAtCheckout) return at;
  const consent = consentUpdate(customer?.sms_marketing_consent, at);
  return consent?.status === 'subscribed' ? consent.at : null;
}

function lineItems(items: z.infer<typeof ShopifyLineItem>[], currency: string): LineItem[] {
  return items.map((item, i) => ({
    sku: item.sku,
    productExternalId: item.variant_id ?? item.product_id ?? null,
    title: item.title ?? item.name ?? 'Item',
    quantity: item.quantity,
    unitPriceCents: minorUnitsOf(item.price, currency, `line_items.${i}.price`),
  }));
}

function orderStatus(order: z.infer<typeof ShopifyOrder>): OrderStatus {
  if (order.cancelled_at) return 'cancelled';
  if (order.financial_status === 'refunded') return 'refunded';
  if (order.fulfillment_status === 'fulfilled') return 'shipped';
  if (order.financial_status === 'paid' || order.financial_status === 'partially_refunded') return 'paid';
  return 'placed';
}

/** What a refund gave back; `path` is where the refund sits in the payload ("" or "refunds.0."). */
function refundAmount(refund: z.infer<typeof ShopifyRefund>, currency: string, path: string): number {
  const refunded = (refund.transactions ?? []).flatMap((tx, i) =>
    tx.kind === 'refund' && (tx.status ?? 'success') === 'success' ? [Math.abs(minorUnitsOf(tx.amount, currency, `${path}transactions.${i}.amount`))] : [],
  );
  return sumMinorUnits(refunded, `${path}transactions`);
}

function customerEvent(customer: ShopifyCustomer, receivedAt: number): StoreEvent {
  const at = customer.updated_at ?? receivedAt;
  return {
    kind: 'customer',
    person: personOf(customer, customer.email, customer.phone),
    emailConsent: consentUpdate(customer.email_marketing_consent, at),
    smsConsent: consentUpdate(customer.sms_marketing_consent, at),
    tags: (customer.tags ?? '')
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean),
    updatedAt: customer.updated_at ?? null,
  };
}

function orderEvent(order: z.infer<typeof ShopifyOrder>): StoreEvent {
  const shipped = order.fulfillment_status === 'fulfilled' ? (order.fulfillments?.[0]?.created_at ?? order.updated_at ?? order.created_at) : null;
  return {
    kind: 'order',
    externalId: order.id,
    name: order.name,
    person: personOf(order.customer, order.email ?? order.contact_email, order.phone, order.billing_address?.country_code, order.created_at),
    status: orderStatus(order),
    currency: order.currency,
    totalCents: minorUnitsOf(order.total_price, order.currency, 'total_price'),
    refunds: (order.refunds ?? []).map((refund, i) => ({ externalId: refund.id, amountCents: refundAmount(refund, order.currency, `refunds.${i}.`), at: refund.created_at })),
    placedAt: order.created_at,
    shippedAt: shipped,
    updatedAt: order.updated_at ?? null,
    cartExternalId: order.checkout_token,
    items: lineItems(order.line_items, order.currency),
    acceptsEmailMarketing: order.buyer_accepts_marketing === true,
    smsOptInAt: smsOptInAt(order.customer, false, order.created_at),
  };
}

function checkoutEvent(checkout: z.infer<typeof ShopifyCheckout>, context: WebhookContext): StoreEvent {
  const currency = checkout.presentment_currency ?? checkout.currency ?? context.currency;
  return {
    kind: 'cart',
    externalId: checkout.token ?? checkout.id,
    person:
      checkout.email || checkout.phone || checkout.sms_marketing_phone || checkout.customer
        ? // The number the SMS box was ticked for is the one the consent is about.
          personOf(checkout.customer, checkout.email, checkout.sms_marketing_phone ?? checkout.phone, null, checkout.created_at)
        : null,
    currency,
    valueCents: minorUnitsOf(checkout.total_price, currency, 'total_price'),
    items: lineItems(checkout.line_items, currency),
    recoveryUrl: checkout.abandoned_checkout_url,
    completed: Boolean(checkout.completed_at),
    updatedAt: checkout.updated_at,
    acceptsEmailMarketing: checkout.buyer_accepts_marketing === true,
    smsOptInAt: smsOptInAt(checkout.customer, checkout.buyer_accepts_sms === true, checkout.updated_at),
  };
}

function productEvent(product: z.infer<typeof ShopifyProduct>, context: WebhookContext): StoreEvent {
  const url = context.shopDomain && product.handle ? `https://${context.shopDomain}/products/${product.handle}` : null;
  const variants: ProductVariant[] = product.variants.map((variant, i) => ({
    externalId: variant.id,
    // A variant without a SKU still needs a stable key.
    sku: variant.sku ?? `shopify-${variant.id}`,
    title: variant.title && variant.title !== 'Default Title' ? `${product.title} – ${variant.title}` : product.title,
    priceCents: minorUnitsOf(variant.price, context.currency, `variants.${i}.price`),
    regularPriceCents: variant.compare_at_price == null ? null : minorUnitsOf(variant.compare_at_price, context.currency, `variants.${i}.compare_at_price`),
    currency: context.currency,
    inventory: variant.inventory_quantity ?? null,
    inventoryItemId: variant.inventory_item_id ?? null,
    url,
    imageUrl: product.image?.src ?? null,
  }));
  return { kind: 'product', parentExternalId: product.id, variants, updatedAt: product.updated_at ?? null };
}

/** The StoreEvents of a Shopify webhook; throws `invalid_input` naming the field for a malformed body. */
export function mapShopifyWebhook(context: WebhookContext, body: unknown): AdapterResult {
  switch (context.topic) {
    case 'customers/create':
    case 'customers/update':
      return [customerEvent(parseOrThrow(ShopifyCustomer, body), context.receivedAt)];
    case 'customers_email_marketing_consent/update': {
      const update = parseOrThrow(ShopifyEmailConsentUpdate, body);
      const consent = consentUpdate(update.email_marketing_consent, context.receivedAt);
      if (!consent) return [];
      const person = { ...personOf(null, update.email_address, null), externalId: update.customer_id };
      return [{ kind: 'consent', person, channel: 'email', ...consent }];
    }
    case 'customers_marketing_consent/update': {
      const update = parseOrThrow(ShopifySmsConsentUpdate, body);
      const consent = consentUpdate(update.sms_marketing_consent, context.receivedAt);
      if (!consent) return [];
      const person = { ...personOf(null, null, update.phone), externalId: update.id };
      return [{ kind: 'consent', person, channel: 'sms', ...consent }];
    }
    case 'orders/create':
    case 'orders/updated':
    case 'orders/paid':
    case 'orders/fulfilled':
    case 'orders/cancelled':
      return [orderEvent(parseOrThrow(ShopifyOrder, body))];
    case 'refunds/create': {
      const refund = parseOrThrow(ShopifyRefund, body);
      return [{ kind: 'refund', orderExternalId: refund.order_id, externalId: refund.id, amountCents: refundAmount(refund, context.currency, ''), at: refund.created_at }];
    }
    case 'checkouts/create':
    case 'checkouts/update':
      return [checkoutEvent(parseOrThrow(ShopifyCheckout, body), context)];
    case 'products/create':
    case 'products/update':
      return [productEvent(parseOrThrow(ShopifyProduct, body), context)];
    case 'inventory_levels/update': {
      const level = parseOrThrow(ShopifyInventoryLevel, body);
      return [{ kind: 'inventory', inventoryItemId: level.inventory_item_id, available: level.available ?? 0, updatedAt: level.updated_at ?? null }];
    }
    default:
      return null;
  }
}
