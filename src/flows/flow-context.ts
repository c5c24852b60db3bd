// What a flow's message shows of its occurrence, read when the message is composed (so an
// abandoned cart's email lists the cart as it is after the wait, not as it was): the
// cart's items, images, prices and recovery link; the product with its old and new price.
// Names follow the starter designs (public/templates): cart.items, product.old_price, …
import { eq } from 'drizzle-orm';
import { carts, products } from '../db/schema';
import type { Statement } from '../db/client';
import type { Tenant } from '../db/tenant';
import { formatMoney } from '../lib/money';

// Items a cart shows: a cart of hundreds renders its first ones, and the template loop stays bounded.
const MAX_CART_ITEMS = 50;

type CartItem = { sku?: string; title?: string; quantity?: number; unitPriceCents?: number; imageUrl?: string | null };

type CartRow = { items: string; valueCents: number; currency: string; recoveryUrl: string | null };

function cartContext(cart: CartRow) {
  let items: CartItem[] = [];
  try {
    const parsed = JSON.parse(cart.items) as unknown;
    if (Array.isArray(parsed)) items = parsed.slice(0, MAX_CART_ITEMS) as CartItem[];
  } catch {
    // A cart whose items do not parse shows its total and link only.
  }
  return {
    total: formatMoney(cart.valueCents, cart.currency),
    recovery_url: cart.recoveryUrl,
    items: items.map((item) => ({
      title: String(item.title ?? item.sku ?? ''),
      sku: item.sku ?? null,
      quantity: Number(item.quantity ?? 1),
      price: formatMoney(Number(item.unitPriceCents ?? 0), cart.currency),
      image_url: item.imageUrl ?? null,
    })),
  };
}

type ProductRow = { title: string; url: string | null; imageUrl: string | null; currency: string; priceCents: number; sku: string };

function productContext(product: ProductRow, prices: { oldPriceCents?: unknown; newPriceCents?: unknown }) {
  const money = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) ? formatMoney(value, product.currency) : null);
  return {
    title: product.title,
    sku: product.sku,
    url: product.url,
    image_url: product.imageUrl,
    price: formatMoney(product.priceCents, product.currency),
    old_price: money(prices.oldPriceCents),
    new_price: money(prices.newPriceCents) ?? formatMoney(product.priceCents, product.currency),
  };
}

/**
 * The read of an enrollment's occurrence (its stored context) and what its rows make of
 * it: the merge data, or {} when it names nothing that still exists. Null when the
 * occurrence names no cart or product (a Welcome, a Win-back): there is nothing to read.
 * A read, not a call, so a batch of enrollments reads all of theirs in one round trip.
 */
export function occurrenceMergeRead(tenant: Tenant, context: Record<string, unknown>): { query: Statement; mergeData: (rows: unknown[]) => Record<string, unknown> } | null {
  if (typeof context.cartId === 'string') {
    const query = tenant.db
      .select({ items: carts.items, valueCents: carts.valueCents, currency: carts.currency, recoveryUrl: carts.recoveryUrl })
      .from(carts)
      .where(tenant.where(carts, eq(carts.id, context.cartId)))
      .limit(1);
    return { query, mergeData: (rows) => (rows[0] ? { cart: cartContext(rows[0] as CartRow) } : {}) };
  }
  if (typeof context.productId === 'string') {
    const query = tenant.db
      .select({ title: products.title, url: products.url, imageUrl: products.imageUrl, currency: products.currency, priceCents: products.priceCents, sku: products.sku })
      .from(products)
      .where(tenant.where(products, eq(products.id, context.productId)))
      .limit(1);
    return { query, mergeData: (rows) => (rows[0] ? { product: productContext(rows[0] as ProductRow, context) } : {}) };
  }
  return null;
}
