// What a purchase is, the one rule every reader of orders shares (contact aggregates,
// segments, order triggers, attribution, the demo): an order is a purchase when it was
// paid (or is done, or left the warehouse) and a refund has not given back its whole
// total. Placed-but-unpaid (WooCommerce pending and on-hold), failed and cancelled
// orders bought nothing; a partial refund keeps the purchase and lowers its value.
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { OrderStatus } from '../db/schema';

/** The statuses in which an order has been paid: paid, done in stores without a paid state, or shipped. */
export const PAID_ORDER_STATUSES = ['paid', 'completed', 'shipped'] as const satisfies readonly OrderStatus[];

/** What the rule reads of an order. */
export type PurchaseFacts = { status: OrderStatus; totalCents: number; refundedCents: number };

/** The same facts as SQL expressions: drizzle's `orders` table, or the columns of an alias. */
export type PurchaseColumns = { status: SQLWrapper; totalCents: SQLWrapper; refundedCents: SQLWrapper };

// A free order (total 0) is a purchase: it is "fully refunded" only when a refund was made.
function fullyRefunded(order: Pick<PurchaseFacts, 'totalCents' | 'refundedCents'>): boolean {
  return order.refundedCents > 0 && order.refundedCents >= order.totalCents;
}

/** True when the order counts as a purchase. */
export function isPurchase(order: PurchaseFacts): boolean {
  return (PAID_ORDER_STATUSES as readonly OrderStatus[]).includes(order.status) && !fullyRefunded(order);
}

/** What a purchase still brings in (total less refunds, never below 0); 0 for any other order. */
export function purchaseValueCents(order: PurchaseFacts): number {
  return isPurchase(order) ? Math.max(order.totalCents - order.refundedCents, 0) : 0;
}

const PAID = sql.join(
  PAID_ORDER_STATUSES.map((status) => sql`${status}`),
  sql`, `,
);

/** `isPurchase` as a SQL condition over an order's columns. */
export function purchaseCondition(order: PurchaseColumns): SQL {
  return sql`(${order.status} IN (${PAID}) AND NOT (${order.refundedCents} > 0 AND ${order.refundedCents} >= ${order.totalCents}))`;
}

/** `purchaseValueCents` as a SQL expression over an order's columns. */
export function purchaseValueSql(order: PurchaseColumns): SQL {
  return sql`(CASE WHEN ${purchaseCondition(order)} THEN max(${order.totalCents} - ${order.refundedCents}, 0) ELSE 0 END)`;
}
