// Orders: upserted by the store's id, refunds kept as a ledger, and the contact's
// aggregates recomputed from its orders, so redelivered and out-of-order events
// always converge on the same numbers.
import { eq, sql } from 'drizzle-orm';
import { runBatch, type Statement } from '../db/client';
import { contacts, orderItems, orderRefunds, orders, type OrderStatus, PURCHASED_ORDER_STATUSES } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { newId } from '../lib/ids';
import { emitTrigger, type Trigger } from '../triggers/triggers';
import { convertCartsStatements } from './carts.service';
import type { OrderEvent } from './store-events';

// A purchase happened (paid, or done in stores without a paid state) / the goods left.
const PURCHASED: OrderStatus[] = [...PURCHASED_ORDER_STATUSES];
const SHIPPED: OrderStatus[] = ['shipped', 'completed'];

/** The statement recomputing a contact's spend, order count and first/last order from its orders. */
export function recomputeContactAggregates(tenant: Tenant, contactId: string, now: number): Statement {
  const counted = sql`FROM ${orders} WHERE ${orders.workspaceId} = ${tenant.workspaceId} AND ${orders.contactId} = ${contactId} AND ${orders.status} NOT IN ('cancelled', 'refunded')`;
  return tenant.db
    .update(contacts)
    .set({
      // Refunds subtract; cancelled and fully refunded orders count for nothing.
      totalSpentCents: sql`(SELECT COALESCE(SUM(MAX(${orders.totalCents} - ${orders.refundedCents}, 0)), 0) ${counted})`,
      orderCount: sql`(SELECT COUNT(*) ${counted})`,
      firstOrderAt: sql`(SELECT MIN(${orders.placedAt}) ${counted})`,
      lastOrderAt: sql`(SELECT MAX(${orders.placedAt}) ${counted})`,
      updatedAt: now,
    })
    .where(tenant.where(contacts, eq(contacts.id, contactId)));
}

function refundedTotal(tenant: Tenant, orderExternalId: string) {
  return sql`(SELECT COALESCE(SUM(${orderRefunds.amountCents}), 0) FROM ${orderRefunds} WHERE ${orderRefunds.workspaceId} = ${tenant.workspaceId} AND ${orderRefunds.orderExternalId} = ${orderExternalId})`;
}

function refundStatements(tenant: Tenant, orderExternalId: string, refunds: OrderEvent['refunds']): Statement[] {
  return refunds.map((refund) =>
    tenant.db
      .insert(orderRefunds)
      .values(tenant.row({ orderExternalId, externalId: refund.externalId, amountCents: refund.amountCents, refundedAt: refund.at }))
      // A refund's amount can only be restated (the generic format sends a running total).
      .onConflictDoUpdate({ target: [orderRefunds.workspaceId, orderRefunds.orderExternalId, orderRefunds.externalId], set: { amountCents: refund.amountCents } }),
  );
}

/** The triggers an order in this state raises; occurrence keys make them once per order. */
export function orderTriggers(orderId: string, contactId: string | null, event: Pick<OrderEvent, 'status' | 'totalCents' | 'currency' | 'items' | 'placedAt' | 'shippedAt'>, now: number): Trigger[] {
  const data = { orderId, totalCents: event.totalCents, currency: event.currency, skus: event.items.map((item) => item.sku).filter(Boolean) };
  const triggers: Trigger[] = [];
  if (PURCHASED.includes(event.status)) {
    triggers.push({ kind: 'order_completed', occurrenceKey: `order:${orderId}`, contactId, subjectId: orderId, data, occurredAt: now });
  }
  if (SHIPPED.includes(event.status)) {
    triggers.push({ kind: 'order_shipped', occurrenceKey: `order:${orderId}`, contactId, subjectId: orderId, data, occurredAt: event.shippedAt ?? now });
  }
  return triggers;
}

/** Applies an order event for a contact (null when the order names nobody). */
export async function applyOrder(tenant: Tenant, event: OrderEvent, contactId: string | null, productIds: Map<string, string>, now = Date.now()): Promise<void> {
  const [existing] = await tenant.db
    .select({ id: orders.id, sourceUpdatedAt: orders.sourceUpdatedAt, contactId: orders.contactId })
    .from(orders)
    .where(tenant.where(orders, eq(orders.externalId, event.externalId)))
    .limit(1);
  const orderId = existing?.id ?? newId(event.placedAt);
  const stale = existing && existing.sourceUpdatedAt !== null && event.updatedAt !== null && event.updatedAt < existing.sourceUpdatedAt;
  const statements: Statement[] = refundStatements(tenant, event.externalId, event.refunds);
  if (!stale) {
    const fields = {
      contactId,
      // An event without the store's label (older queue messages) keeps the stored one.
      ...(event.name ? { name: event.name } : {}),
      email: event.person?.email ?? null,
      status: event.status,
      currency: event.currency,
      totalCents: event.totalCents,
      cartExternalId: event.cartExternalId,
      placedAt: event.placedAt,
      completedAt: PURCHASED.includes(event.status) ? (event.updatedAt ?? now) : null,
      shippedAt: event.shippedAt,
      sourceUpdatedAt: event.updatedAt,
      updatedAt: now,
    };
    statements.push(
      existing
        ? tenant.db
            .update(orders)
            .set(fields)
            .where(tenant.where(orders, eq(orders.id, orderId)))
        : tenant.db.insert(orders).values(tenant.row({ id: orderId, externalId: event.externalId, ...fields })),
      tenant.db.delete(orderItems).where(tenant.where(orderItems, eq(orderItems.orderId, orderId))),
      ...event.items.map((item) =>
        tenant.db.insert(orderItems).values(
          tenant.row({
            id: newId(now),
            orderId,
            productId: (item.sku && productIds.get(item.sku)) || null,
            sku: item.sku,
            title: item.title,
            quantity: item.quantity,
            unitPriceCents: item.unitPriceCents,
          }),
        ),
      ),
      ...orderTriggers(orderId, contactId, event, now).map((trigger) => emitTrigger(tenant, trigger)),
    );
    if (contactId) statements.push(...convertCartsStatements(tenant, { orderId, contactId, cartExternalId: event.cartExternalId, placedAt: event.placedAt, now }));
  }
  statements.push(
    tenant.db
      .update(orders)
      .set({ refundedCents: refundedTotal(tenant, event.externalId) })
      .where(tenant.where(orders, eq(orders.externalId, event.externalId))),
  );
  // Recompute both when an order moved between contacts (e.g. a guest email corrected).
  for (const id of new Set([contactId, existing?.contactId].filter((value): value is string => Boolean(value)))) {
    statements.push(recomputeContactAggregates(tenant, id, now));
  }
  await runBatch(tenant.db, statements);
}

/** Applies a refund; it may arrive before its order, whose total then includes it when it comes. */
export async function applyRefund(tenant: Tenant, orderExternalId: string, refund: OrderEvent['refunds'][number], now = Date.now()): Promise<void> {
  const [order] = await tenant.db
    .select({ contactId: orders.contactId })
    .from(orders)
    .where(tenant.where(orders, eq(orders.externalId, orderExternalId)))
    .limit(1);
  await runBatch(tenant.db, [
    ...refundStatements(tenant, orderExternalId, [refund]),
    tenant.db
      .update(orders)
      .set({ refundedCents: refundedTotal(tenant, orderExternalId), updatedAt: now })
      .where(tenant.where(orders, eq(orders.externalId, orderExternalId))),
    ...(order?.contactId ? [recomputeContactAggregates(tenant, order.contactId, now)] : []),
  ]);
}
