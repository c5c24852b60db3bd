// What a contact did and what happened to it, for the contact page: consent
// history, orders with their items, and carts.
import { desc, eq, inArray, sql } from 'drizzle-orm';
import { carts, consentChanges, orderItems, orders, type CartStatus, type ConsentChannel, type ConsentStatus, type OrderStatus } from '../db/schema';
import { orderLabel } from '../db/order-label';
import { keyed, type Tenant } from '../db/tenant';
import { chunk } from '../lib/chunk';

/** One recorded consent change. */
export type ConsentChangeView = { channel: ConsentChannel; status: ConsentStatus; source: string; changedAt: number };

/** An order line. */
export type OrderItemView = { sku: string | null; title: string; quantity: number; unitPriceCents: number };

/** An order of a contact, with its lines. */
export type ContactOrderView = {
  id: string;
  externalId: string;
  // What the store calls it ("#1001").
  label: string;
  status: OrderStatus;
  currency: string;
  totalCents: number;
  refundedCents: number;
  placedAt: number;
  items: OrderItemView[];
};

/** A cart of a contact. */
export type ContactCartView = {
  id: string;
  status: CartStatus;
  currency: string;
  valueCents: number;
  itemCount: number;
  recoveryUrl: string | null;
  updatedAt: number;
};

const ORDER_IDS_PER_QUERY = 90;

/** The contact's consent changes, newest first. */
export async function listConsentChanges(tenant: Tenant, contactId: string, limit = 100): Promise<ConsentChangeView[]> {
  return tenant.db
    .select({ channel: consentChanges.channel, status: consentChanges.status, source: consentChanges.source, changedAt: consentChanges.changedAt })
    .from(consentChanges)
    .where(tenant.where(consentChanges, eq(consentChanges.contactId, contactId)))
    .orderBy(desc(consentChanges.changedAt), desc(consentChanges.id))
    .limit(limit);
}

/** The contact's latest orders with their items, newest first. */
export async function listContactOrders(tenant: Tenant, contactId: string, limit = 50): Promise<ContactOrderView[]> {
  const rows = await tenant.db
    .select({
      id: orders.id,
      externalId: orders.externalId,
      label: orderLabel,
      status: orders.status,
      currency: orders.currency,
      totalCents: orders.totalCents,
      refundedCents: orders.refundedCents,
      placedAt: orders.placedAt,
    })
    .from(orders)
    .where(tenant.where(orders, eq(orders.contactId, contactId)))
    .orderBy(desc(orders.placedAt))
    .limit(limit);
  const items = new Map<string, OrderItemView[]>(rows.map((row) => [row.id, []]));
  for (const slice of chunk(
    rows.map((row) => row.id),
    ORDER_IDS_PER_QUERY,
  )) {
    const lines = await tenant.db
      .select({ orderId: orderItems.orderId, sku: orderItems.sku, title: orderItems.title, quantity: orderItems.quantity, unitPriceCents: orderItems.unitPriceCents })
      .from(orderItems)
      .where(tenant.where(orderItems, keyed(inArray(orderItems.orderId, slice))));
    for (const { orderId, ...line } of lines) items.get(orderId)?.push(line);
  }
  return rows.map((row) => ({ ...row, items: items.get(row.id) ?? [] }));
}

/** The contact's carts, most recently updated first. */
export async function listContactCarts(tenant: Tenant, contactId: string, limit = 20): Promise<ContactCartView[]> {
  const rows = await tenant.db
    .select({ id: carts.id, status: carts.status, currency: carts.currency, valueCents: carts.valueCents, items: carts.items, recoveryUrl: carts.recoveryUrl, updatedAt: carts.updatedAt })
    .from(carts)
    .where(tenant.where(carts, eq(carts.contactId, contactId)))
    .orderBy(desc(carts.updatedAt))
    .limit(limit);
  return rows.map(({ items, ...cart }) => ({ ...cart, itemCount: countItems(items) }));
}

function countItems(json: string): number {
  try {
    const items: unknown = JSON.parse(json);
    return Array.isArray(items) ? items.reduce((sum: number, item) => sum + (typeof item?.quantity === 'number' ? item.quantity : 1), 0) : 0;
  } catch {
    return 0;
  }
}

/**
 * The currency most of the workspace's orders are in (contacts' totals are sums over
 * them), or null before any order. A sample of 1,000 orders keeps it one cheap query.
 */
export async function findMainCurrency(tenant: Tenant): Promise<string | null> {
  const sample = tenant.db.select({ currency: orders.currency }).from(orders).where(tenant.where(orders)).limit(1000).as('sample');
  const [row] = await tenant.db.select({ currency: sample.currency }).from(sample).groupBy(sample.currency).orderBy(desc(sql`count(*)`)).limit(1);
  return row?.currency ?? null;
}
