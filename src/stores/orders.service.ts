// Orders: upserted by the store connection and the store's id, refunds kept as a ledger, and the contact's
// aggregates recomputed from its orders, so redelivered and out-of-order events
// always converge on the same numbers.
import { and, eq, sql } from 'drizzle-orm';
import { runBatch, type Statement } from '../db/client';
import { contacts, orderItems, orderRefunds, orders, type OrderStatus } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { newId } from '../lib/ids';
import { isPurchase, PAID_ORDER_STATUSES, purchaseCondition, purchaseValueSql } from '../purchases/purchase-rule';
import { attributeOrderStatements } from '../tracking/attribution';
import { emitTrigger, type Trigger } from '../triggers/triggers';
import { convertCartsStatements } from './carts.service';
import type { OrderEvent } from './store-events';

const PAID: OrderStatus[] = [...PAID_ORDER_STATUSES];
const SHIPPED: OrderStatus[] = ['shipped', 'completed'];

/**
 * The statement recomputing a contact's spend, order count and first/last purchase from its
 * purchases (purchase-rule.ts). Totals imported from a store export are a baseline that
 * already holds the purchases made until it was taken: only later ones add to it
 * (first/last purchase read them all).
 */
export function recomputeContactAggregates(tenant: Tenant, contactId: string, now: number): Statement {
  const counted = sql`FROM ${orders} WHERE ${orders.workspaceId} = ${tenant.workspaceId} AND ${orders.contactId} = ${contactId} AND ${purchaseCondition(orders)}`;
  const sinceBaseline = sql`${counted} AND (${contacts.importedTotalsAt} IS NULL OR ${orders.placedAt} > ${contacts.importedTotalsAt})`;
  return tenant.db
    .update(contacts)
    .set({
      // Partial refunds subtract; what is not a purchase counts for nothing.
      totalSpentCents: sql`${contacts.importedSpentCents} + (SELECT COALESCE(SUM(${purchaseValueSql(orders)}), 0) ${sinceBaseline})`,
      orderCount: sql`${contacts.importedOrderCount} + (SELECT COUNT(*) ${sinceBaseline})`,
      firstOrderAt: sql`(SELECT MIN(${orders.placedAt}) ${counted})`,
      lastOrderAt: sql`(SELECT MAX(${orders.placedAt}) ${counted})`,
      updatedAt: now,
    })
    .where(tenant.where(contacts, eq(contacts.id, contactId)));
}

/** The order a store connection knows by this id (two stores may both have an order #1042). */
function isOrder(connectionId: string, orderExternalId: string) {
  return and(eq(orders.connectionId, connectionId), eq(orders.externalId, orderExternalId));
}

function refundedTotal(tenant: Tenant, connectionId: string, orderExternalId: string) {
  return sql`(SELECT COALESCE(SUM(${orderRefunds.amountCents}), 0) FROM ${orderRefunds} WHERE ${tenant.where(orderRefunds, eq(orderRefunds.connectionId, connectionId), eq(orderRefunds.orderExternalId, orderExternalId))})`;
}

/** The ledger of an order's refunds (refunds may come first, on their own topic). */
function refundLedger(tenant: Tenant, connectionId: string, orderExternalId: string) {
  return tenant.db
    .select({ externalId: orderRefunds.externalId, amountCents: orderRefunds.amountCents })
    .from(orderRefunds)
    .where(tenant.where(orderRefunds, eq(orderRefunds.connectionId, connectionId), eq(orderRefunds.orderExternalId, orderExternalId)));
}

/** What has been refunded of an order once this event's refunds join the ledger. */
function refundedCentsWith(ledger: { externalId: string; amountCents: number }[], event: Pick<OrderEvent, 'refunds'>): number {
  const amounts = new Map([...ledger, ...event.refunds].map((refund) => [refund.externalId, refund.amountCents]));
  return [...amounts.values()].reduce((total, amount) => total + amount, 0);
}

function refundStatements(tenant: Tenant, connectionId: string, orderExternalId: string, refunds: OrderEvent['refunds']): Statement[] {
  return refunds.map((refund) =>
    tenant.db
      .insert(orderRefunds)
      .values(tenant.row({ connectionId, orderExternalId, externalId: refund.externalId, amountCents: refund.amountCents, refundedAt: refund.at }))
      // A refund's amount can only be restated (the generic format sends a running total).
      .onConflictDoUpdate({ target: [orderRefunds.connectionId, orderRefunds.orderExternalId, orderRefunds.externalId], set: { amountCents: refund.amountCents } }),
  );
}

/** The triggers an order in this state, refunded by `refundedCents`, raises; occurrence keys make them once per order. */
export function orderTriggers(
  orderId: string,
  contactId: string | null,
  event: Pick<OrderEvent, 'status' | 'totalCents' | 'currency' | 'items' | 'placedAt' | 'shippedAt'>,
  refundedCents: number,
  now: number,
): Trigger[] {
  const data = { orderId, totalCents: event.totalCents, currency: event.currency, skus: event.items.map((item) => item.sku).filter(Boolean) };
  const triggers: Trigger[] = [];
  if (isPurchase({ status: event.status, totalCents: event.totalCents, refundedCents })) {
    triggers.push({ kind: 'order_completed', occurrenceKey: `order:${orderId}`, contactId, subjectId: orderId, data, occurredAt: now });
  }
  if (SHIPPED.includes(event.status)) {
    triggers.push({ kind: 'order_shipped', occurrenceKey: `order:${orderId}`, contactId, subjectId: orderId, data, occurredAt: event.shippedAt ?? now });
  }
  return triggers;
}

/** Applies an order event from a store connection for a contact (null when the order names nobody). */
export async function applyOrder(tenant: Tenant, connectionId: string, event: OrderEvent, contactId: string | null, productIds: Map<string, string>, now = Date.now()): Promise<void> {
  // The stored order and its refund ledger in one round trip.
  const [[existing], ledger] = await tenant.db.batch([
    tenant.db
      .select({ id: orders.id, sourceUpdatedAt: orders.sourceUpdatedAt, contactId: orders.contactId })
      .from(orders)
      .where(tenant.where(orders, isOrder(connectionId, event.externalId)))
      .limit(1),
    refundLedger(tenant, connectionId, event.externalId),
  ]);
  const orderId = existing?.id ?? newId(event.placedAt);
  const stale = existing && existing.sourceUpdatedAt !== null && event.updatedAt !== null && event.updatedAt < existing.sourceUpdatedAt;
  const statements: Statement[] = refundStatements(tenant, connectionId, event.externalId, event.refunds);
  if (!stale) {
    const refundedCents = refundedCentsWith(ledger, event);
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
      completedAt: PAID.includes(event.status) ? (event.updatedAt ?? now) : null,
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
        : tenant.db.insert(orders).values(tenant.row({ id: orderId, connectionId, externalId: event.externalId, ...fields })),
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
      ...orderTriggers(orderId, contactId, event, refundedCents, now).map((trigger) => emitTrigger(tenant, trigger)),
    );
    if (contactId) statements.push(...convertCartsStatements(tenant, { connectionId, orderId, contactId, cartExternalId: event.cartExternalId, placedAt: event.placedAt, now }));
  }
  statements.push(
    tenant.db
      .update(orders)
      .set({ refundedCents: refundedTotal(tenant, connectionId, event.externalId) })
      .where(tenant.where(orders, isOrder(connectionId, event.externalId))),
  );
  // Recompute both when an order moved between contacts (e.g. a guest email corrected).
  for (const id of new Set([contactId, existing?.contactId].filter((value): value is string => Boolean(value)))) {
    statements.push(recomputeContactAggregates(tenant, id, now));
  }
  statements.push(...attributeOrderStatements(tenant, connectionId, event.externalId));
  await runBatch(tenant.db, statements);
}

/** Applies a refund of a store connection's order; it may arrive before its order, whose total then includes it when it comes. */
export async function applyRefund(tenant: Tenant, connectionId: string, orderExternalId: string, refund: OrderEvent['refunds'][number], now = Date.now()): Promise<void> {
  const [order] = await tenant.db
    .select({ contactId: orders.contactId })
    .from(orders)
    .where(tenant.where(orders, isOrder(connectionId, orderExternalId)))
    .limit(1);
  await runBatch(tenant.db, [
    ...refundStatements(tenant, connectionId, orderExternalId, [refund]),
    tenant.db
      .update(orders)
      .set({ refundedCents: refundedTotal(tenant, connectionId, orderExternalId), updatedAt: now })
      .where(tenant.where(orders, isOrder(connectionId, orderExternalId))),
    ...(order?.contactId ? [recomputeContactAggregates(tenant, order.contactId, now)] : []),
    ...attributeOrderStatements(tenant, connectionId, orderExternalId),
  ]);
}
