// WooCommerce webhooks (REST API v3 payloads) to StoreEvents. WooCommerce sends
// each event once and disables a webhook after repeated failures, so reading is
// lenient: only what we need is required, everything else may be missing. Its text
// arrives escaped for HTML ("Salt &amp; Pepper") and is decoded here, once.
import { z } from 'zod';
import type { OrderStatus } from '../../db/schema';
import { decodeHtmlEntities } from '../../lib/html-entities';
import { parseOrThrow } from '../../lib/validation';
import { Amount, CurrencyCode, ExternalId, MAX_EXTERNAL_ID_LENGTH, minorUnitsOf, OptionalEmail, OptionalKey, OptionalPhone, OptionalSku, OptionalText } from '../payload-values';
import type { Person, StoreEvent } from '../store-events';
import type { AdapterResult, WebhookContext } from './adapter';

/** WooCommerce's *_gmt times have no offset: they are UTC. */
const WooTime = z
  .string()
  .max(100)
  .transform((value, ctx) => {
    const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
    if (!Number.isSafeInteger(ms) || ms < 0) {
      ctx.addIssue({ code: 'custom', message: 'Expected a date' });
      return z.NEVER;
    }
    return ms;
  });

/** Text as WooCommerce escapes it (names, titles), decoded. */
const WooText = OptionalText.transform((value) => value && decodeHtmlEntities(value));

const WooAddress = z.object({ first_name: WooText, last_name: WooText, email: OptionalEmail, phone: OptionalPhone, country: OptionalText }).nullish();

// Far beyond any real order, and bounding the work one webhook can cause.
const MAX_LINES = 1000;
const MAX_REFUNDS = 250;

const WooCustomer = z.object({
  id: ExternalId,
  email: OptionalEmail,
  first_name: WooText,
  last_name: WooText,
  date_created_gmt: WooTime.nullish(),
  date_modified_gmt: WooTime.nullish(),
  billing: WooAddress,
});

const WooLineItem = z.object({
  name: WooText,
  product_id: ExternalId.nullish(),
  variation_id: ExternalId.nullish(),
  quantity: z.number().int().nonnegative(),
  sku: OptionalSku,
  price: Amount.nullish(),
  total: Amount.nullish(),
});

const WooOrder = z.object({
  id: ExternalId,
  // The order number the shop shows (plugins may make it differ from the id).
  number: z
    .union([z.string(), z.number()])
    .nullish()
    .transform((value) => (value == null || value === '' ? null : decodeHtmlEntities(String(value).trim()))),
  status: z.string(),
  currency: CurrencyCode,
  total: Amount,
  customer_id: z.union([z.number(), z.string().max(MAX_EXTERNAL_ID_LENGTH)]).nullish(),
  date_created_gmt: WooTime,
  date_modified_gmt: WooTime.nullish(),
  date_completed_gmt: WooTime.nullish(),
  billing: WooAddress,
  line_items: z.array(WooLineItem).max(MAX_LINES).default([]),
  refunds: z
    .array(z.object({ id: ExternalId, total: Amount }))
    .max(MAX_REFUNDS)
    .nullish(),
  cart_hash: OptionalKey(MAX_EXTERNAL_ID_LENGTH),
});

// A product without a price (a variable product's parent, a draft) has "" for it.
const ProductPrice = z.union([z.literal('').transform(() => null), Amount]).nullish();

const WooProduct = z.object({
  id: ExternalId,
  name: z.string().transform(decodeHtmlEntities),
  permalink: OptionalText,
  sku: OptionalSku,
  price: ProductPrice,
  regular_price: ProductPrice,
  stock_quantity: z.number().int().nullish(),
  stock_status: z.string().nullish(),
  date_modified_gmt: WooTime.nullish(),
  images: z.array(z.object({ src: z.string() })).nullish(),
});

// Anything else (pending, on-hold, checkout-draft, a plugin's own status) is placed: not paid yet.
const STATUS: Record<string, OrderStatus> = {
  processing: 'paid',
  completed: 'completed',
  cancelled: 'cancelled',
  refunded: 'refunded',
  failed: 'failed',
};

function orderEvent(order: z.infer<typeof WooOrder>): StoreEvent {
  const registered = Number(order.customer_id ?? 0) > 0;
  const person: Person = {
    email: order.billing?.email ?? null,
    phone: order.billing?.phone ?? null,
    firstName: order.billing?.first_name ?? null,
    lastName: order.billing?.last_name ?? null,
    externalId: registered ? String(order.customer_id) : null,
    registered,
    country: order.billing?.country ?? null,
    // The store knew the buyer at least since the order.
    createdAt: order.date_created_gmt,
  };
  const status = STATUS[order.status] ?? 'placed';
  return {
    kind: 'order',
    externalId: order.id,
    name: `#${order.number ?? order.id}`,
    person,
    status,
    currency: order.currency,
    totalCents: minorUnitsOf(order.total, order.currency, 'total'),
    refunds: (order.refunds ?? []).map((refund, i) => ({
      externalId: refund.id,
      amountCents: Math.abs(minorUnitsOf(refund.total, order.currency, `refunds.${i}.total`)),
      at: order.date_modified_gmt ?? order.date_created_gmt,
    })),
    placedAt: order.date_created_gmt,
    // WooCommerce has no separate shipping state: "completed" means fulfilled.
    shippedAt: status === 'completed' ? (order.date_completed_gmt ?? order.date_modified_gmt ?? order.date_created_gmt) : null,
    updatedAt: order.date_modified_gmt ?? null,
    cartExternalId: order.cart_hash,
    items: order.line_items.map((item, i) => ({
      sku: item.sku,
      productExternalId: item.variation_id && item.variation_id !== '0' ? item.variation_id : (item.product_id ?? null),
      title: item.name ?? 'Item',
      quantity: item.quantity,
      unitPriceCents:
        item.price !== null && item.price !== undefined
          ? minorUnitsOf(item.price, order.currency, `line_items.${i}.price`)
          : Math.round(minorUnitsOf(item.total ?? '0', order.currency, `line_items.${i}.total`) / Math.max(1, item.quantity)),
    })),
    acceptsEmailMarketing: false,
  };
}

function productEvent(product: z.infer<typeof WooProduct>, context: WebhookContext): StoreEvent {
  const [price, path] = product.price != null ? [product.price, 'price'] : product.regular_price != null ? [product.regular_price, 'regular_price'] : ['0', 'price'];
  const inventory = product.stock_quantity ?? (product.stock_status === 'outofstock' ? 0 : null);
  return {
    kind: 'product',
    parentExternalId: product.id,
    variants: [
      {
        externalId: product.id,
        sku: product.sku ?? `woocommerce-${product.id}`,
        title: product.name,
        priceCents: minorUnitsOf(price, context.currency, path),
        // On sale, `price` is the sale price and `regular_price` the one it dropped from.
        regularPriceCents: product.regular_price == null ? null : minorUnitsOf(product.regular_price, context.currency, 'regular_price'),
        currency: context.currency,
        inventory,
        inventoryItemId: null,
        url: product.permalink,
        imageUrl: product.images?.[0]?.src ?? null,
      },
    ],
    updatedAt: product.date_modified_gmt ?? null,
  };
}

/** The StoreEvents of a WooCommerce webhook; throws `invalid_input` naming the field for a malformed body. */
export function mapWooCommerceWebhook(context: WebhookContext, body: unknown): AdapterResult {
  switch (context.topic) {
    case 'customer.created':
    case 'customer.updated': {
      const customer = parseOrThrow(WooCustomer, body);
      const person: Person = {
        email: customer.email ?? customer.billing?.email ?? null,
        phone: customer.billing?.phone ?? null,
        firstName: customer.first_name ?? customer.billing?.first_name ?? null,
        lastName: customer.last_name ?? customer.billing?.last_name ?? null,
        externalId: customer.id,
        registered: true,
        country: customer.billing?.country ?? null,
        createdAt: customer.date_created_gmt ?? null,
      };
      return [{ kind: 'customer', person, emailConsent: null, smsConsent: null, tags: [], updatedAt: customer.date_modified_gmt ?? null }];
    }
    case 'order.created':
    case 'order.updated':
      return [orderEvent(parseOrThrow(WooOrder, body))];
    case 'product.created':
    case 'product.updated':
      return [productEvent(parseOrThrow(WooProduct, body), context)];
    default:
      return null;
  }
}
