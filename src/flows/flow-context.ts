// What a flow's message shows of its occurrence, read when the message is composed (so an
// abandoned cart's email lists the cart as it is after the wait, not as it was): the
// cart's items, images, prices and recovery link; the product with its old and new price.
// Names follow the starter designs (public/templates): cart.items, product.old_price, …
import { eq } from 'drizzle-orm';
import { carts, products } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { formatMoney } from '../lib/money';

// Items a cart shows: a cart of hundreds renders its first ones, and the template loop stays bounded.
const MAX_CART_ITEMS = 50;

type CartItem = { sku?: string; title?: string; quantity?: number; unitPriceCents?: number; imageUrl?: string | null };

async function cartContext(tenant: Tenant, cartId: string) {
  const [cart] = await tenant.db
    .select({ items: carts.items, valueCents: carts.valueCents, currency: carts.currency, recoveryUrl: carts.recoveryUrl })
    .from(carts)
    .where(tenant.where(carts, eq(carts.id, cartId)))
    .limit(1);
  if (!cart) return null;
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

async function productContext(tenant: Tenant, productId: string, prices: { oldPriceCents?: unknown; newPriceCents?: unknown }) {
  const [product] = await tenant.db
    .select({ title: products.title, url: products.url, imageUrl: products.imageUrl, currency: products.currency, priceCents: products.priceCents, sku: products.sku })
    .from(products)
    .where(tenant.where(products, eq(products.id, productId)))
    .limit(1);
  if (!product) return null;
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

/** The merge data of an enrollment's occurrence (its stored context), or {} when it names nothing that still exists. */
export async function occurrenceMergeData(tenant: Tenant, context: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (typeof context.cartId === 'string') {
    const cart = await cartContext(tenant, context.cartId);
    return cart ? { cart } : {};
  }
  if (typeof context.productId === 'string') {
    const product = await productContext(tenant, context.productId, context);
    return product ? { product } : {};
  }
  return {};
}
