// Reading the store data a workspace received, for /api/v1 and the products page: keyset
// pages newest first (by a time column, then id), narrowed to one contact and a time range.
import { and, desc, eq, gte, inArray, lt, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { getContact } from '../contacts/contacts.service';
import { type CartStatus, carts, type OrderStatus, orderItems, orders } from '../db/schema';
import { keyed, type Tenant } from '../db/tenant';
import { chunk } from '../lib/chunk';
import { notFound } from '../lib/errors';
import { keysetLimit, keysetPage } from '../lib/keyset-page';
import { timeCursorOf } from '../reports/reports.schemas';
import type { StoreListQuery } from './store-reads.schemas';

/** A page of a store list and the cursor of the next one (null: this is the last). */
export type StorePage<T> = { rows: T[]; nextCursor: string | null };

/** The conditions of one page: within [from, to) on `at`, after the cursor (newest first). */
export function pageConditions(at: SQLiteColumn, id: SQLiteColumn, query: StoreListQuery): (SQL | undefined)[] {
  const { cursor } = query;
  return [
    query.from === undefined ? undefined : gte(at, query.from),
    query.to === undefined ? undefined : lt(at, query.to),
    cursor ? or(lt(at, cursor.at), and(eq(at, cursor.at), lt(id, cursor.id))) : undefined,
  ];
}

/** Rows fetched with `keysetLimit`, cut to the page, with the next page's cursor from `at` and `id`. */
export function storePage<T extends { id: string }>(rows: T[], limit: number, atOf: (row: T) => number): StorePage<T> {
  const page = keysetPage(rows, limit, (row) => timeCursorOf({ at: atOf(row), id: row.id }));
  return { rows: page.rows, nextCursor: page.nextCursor };
}

/** The contact a query narrows to, checked to be this workspace's (404 otherwise). */
export async function requireQueriedContact(tenant: Tenant, query: StoreListQuery): Promise<void> {
  if (query.contactId) await getContact(tenant, query.contactId);
}

/** An order line as the API returns it. */
export type OrderLineView = { productId: string | null; sku: string | null; title: string; quantity: number; unitPriceCents: number };

/** An order as the API returns it. */
export type OrderView = {
  id: string;
  contactId: string | null;
  externalId: string;
  email: string | null;
  status: OrderStatus;
  currency: string;
  totalCents: number;
  refundedCents: number;
  placedAt: number;
  completedAt: number | null;
  shippedAt: number | null;
  updatedAt: number;
  items: OrderLineView[];
};

const orderColumns = {
  id: orders.id,
  contactId: orders.contactId,
  externalId: orders.externalId,
  email: orders.email,
  status: orders.status,
  currency: orders.currency,
  totalCents: orders.totalCents,
  refundedCents: orders.refundedCents,
  placedAt: orders.placedAt,
  completedAt: orders.completedAt,
  shippedAt: orders.shippedAt,
  updatedAt: orders.updatedAt,
};

// Order ids per IN list: D1 binds at most 100 parameters, the workspace id among them.
const IDS_PER_QUERY = 90;

async function withItems(tenant: Tenant, rows: Omit<OrderView, 'items'>[]): Promise<OrderView[]> {
  const items = new Map<string, OrderLineView[]>(rows.map((row) => [row.id, []]));
  for (const slice of chunk([...items.keys()], IDS_PER_QUERY)) {
    const lines = await tenant.db
      .select({ orderId: orderItems.orderId, productId: orderItems.productId, sku: orderItems.sku, title: orderItems.title, quantity: orderItems.quantity, unitPriceCents: orderItems.unitPriceCents })
      .from(orderItems)
      .where(tenant.where(orderItems, keyed(inArray(orderItems.orderId, slice))))
      .orderBy(orderItems.id);
    for (const { orderId, ...line } of lines) items.get(orderId)?.push(line);
  }
  return rows.map((row) => ({ ...row, items: items.get(row.id) ?? [] }));
}

/** A page of orders, newest placed first, with their lines. */
export async function listOrders(tenant: Tenant, query: StoreListQuery): Promise<StorePage<OrderView>> {
  await requireQueriedContact(tenant, query);
  const rows = await tenant.db
    .select(orderColumns)
    .from(orders)
    .where(tenant.where(orders, query.contactId ? eq(orders.contactId, query.contactId) : undefined, ...pageConditions(orders.placedAt, orders.id, query)))
    .orderBy(desc(orders.placedAt), desc(orders.id))
    .limit(keysetLimit(query.limit));
  const page = storePage(rows, query.limit, (row) => row.placedAt);
  return { rows: await withItems(tenant, page.rows), nextCursor: page.nextCursor };
}

/** One order with its lines (404 for another workspace's id). */
export async function getOrder(tenant: Tenant, id: string): Promise<OrderView> {
  const [row] = await tenant.db
    .select(orderColumns)
    .from(orders)
    .where(tenant.where(orders, eq(orders.id, id)))
    .limit(1);
  if (!row) throw notFound('Order');
  const [order] = await withItems(tenant, [row]);
  return order!;
}

/** A cart line as stored (normalized by the adapters before it was written). */
export type CartLineView = { sku: string | null; title: string; quantity: number; unitPriceCents: number; imageUrl: string | null };

/** A cart or checkout as the API returns it. */
export type CartView = {
  id: string;
  contactId: string | null;
  externalId: string;
  status: CartStatus;
  currency: string;
  valueCents: number;
  items: CartLineView[];
  recoveryUrl: string | null;
  convertedOrderId: string | null;
  createdAt: number;
  updatedAt: number;
};

const cartColumns = {
  id: carts.id,
  contactId: carts.contactId,
  externalId: carts.externalId,
  status: carts.status,
  currency: carts.currency,
  valueCents: carts.valueCents,
  items: carts.items,
  recoveryUrl: carts.recoveryUrl,
  convertedOrderId: carts.convertedOrderId,
  createdAt: carts.createdAt,
  updatedAt: carts.updatedAt,
};

function toCartView(row: Omit<CartView, 'items'> & { items: string }): CartView {
  let items: CartLineView[] = [];
  try {
    items = JSON.parse(row.items) as CartLineView[];
  } catch {
    // Written by us as JSON; a row that is not stays readable without its lines.
  }
  return { ...row, items };
}

/** A page of carts, newest created first (a cart's updates do not move it between pages). */
export async function listCarts(tenant: Tenant, query: StoreListQuery): Promise<StorePage<CartView>> {
  await requireQueriedContact(tenant, query);
  const rows = await tenant.db
    .select(cartColumns)
    .from(carts)
    .where(tenant.where(carts, query.contactId ? eq(carts.contactId, query.contactId) : undefined, ...pageConditions(carts.createdAt, carts.id, query)))
    .orderBy(desc(carts.createdAt), desc(carts.id))
    .limit(keysetLimit(query.limit));
  const page = storePage(rows, query.limit, (row) => row.createdAt);
  return { rows: page.rows.map(toCartView), nextCursor: page.nextCursor };
}

/** One cart (404 for another workspace's id). */
export async function getCart(tenant: Tenant, id: string): Promise<CartView> {
  const [row] = await tenant.db
    .select(cartColumns)
    .from(carts)
    .where(tenant.where(carts, eq(carts.id, id)))
    .limit(1);
  if (!row) throw notFound('Cart');
  return toCartView(row);
}
