// Conversions: crediting an order to the one message that led to it (order_attributions).
//
// The rule: the message the contact last clicked within the workspace's click window (the
// SMS click window for a text) before the order was placed or, failing that, the one they
// last opened within the open window (a touch exactly a window before placed_at counts; one
// at placed_at too). Any click beats any open. Campaign and flow messages of the order's workspace compete alike.
// Touches are the readers' first open and first click of each message as the trackers flush
// them (delivery_engagements): machine opens and clicks never count.
//
// Once: the row is written the first time the order is seen as a purchase (the one rule of
// purchases/purchase-rule.ts) with a touch, and never moves to another message after, whatever
// the order's later updates, replays or late events. Its revenue follows the order: what the
// purchase still brings in, 0 once it is no purchase (cancelled, failed, fully refunded); the
// row is kept at 0 so a replay cannot credit the order again, and figures count only orders
// with revenue left.
//
// Trackers flush hits a few seconds after they happen (campaign-tracker.ts). An order
// applied in between finds no touch; the flush then credits the purchases of the contacts
// it touched that were placed since its touches and are still uncredited, by the same rule.
// An order already credited to an open is not moved to a click that arrives late.
import { sql, type SQL } from 'drizzle-orm';
import type { Statement } from '../db/client';
import type { Tenant } from '../db/tenant';
import { purchaseCondition, purchaseValueSql } from '../purchases/purchase-rule';

// The columns of an order `o`, as the rule reads them.
const ORDER = { status: sql`o.status`, totalCents: sql`o.total_cents`, refundedCents: sql`o.refunded_cents` };
const PURCHASE = purchaseCondition(ORDER);
// What an order `o` still brings in.
const REVENUE = purchaseValueSql(ORDER);
// The click window of a delivery `d` under settings `s`: a text's clicks count for the SMS click window.
const CLICK_WINDOW = sql.raw("CASE WHEN d.channel = 'sms' THEN s.sms_click_window_ms ELSE s.click_window_ms END");

/** Credits the uncredited purchases among `which` (a condition on orders `o` of the tenant) by the rule above. */
function creditOrders(tenant: Tenant, which: SQL) {
  return tenant.db.run(sql`
    INSERT INTO order_attributions (order_id, workspace_id, contact_id, delivery_id, source_type, source_id, touch, touched_at, revenue_cents, currency, ordered_at)
    SELECT order_id, workspace_id, contact_id, delivery_id, source_type, source_id, touch, touched_at, revenue_cents, currency, ordered_at
    FROM (
      SELECT *, row_number() OVER (PARTITION BY order_id ORDER BY touch = 'click' DESC, touched_at DESC, delivery_id DESC) AS rank
      FROM (
        SELECT o.id AS order_id, o.workspace_id, o.contact_id, d.id AS delivery_id, d.source_type, d.source_id,
          CASE WHEN e.clicked_at BETWEEN o.placed_at - ${CLICK_WINDOW} AND o.placed_at THEN 'click'
               WHEN e.opened_at BETWEEN o.placed_at - s.open_window_ms AND o.placed_at THEN 'open' END AS touch,
          CASE WHEN e.clicked_at BETWEEN o.placed_at - ${CLICK_WINDOW} AND o.placed_at THEN e.clicked_at ELSE e.opened_at END AS touched_at,
          ${REVENUE} AS revenue_cents, o.currency, o.placed_at AS ordered_at
        FROM orders o
        JOIN workspace_settings s ON s.workspace_id = o.workspace_id
        -- A message touched before the order was queued before it: the contact's deliveries index bounds the scan.
        JOIN deliveries d ON d.workspace_id = o.workspace_id AND d.contact_id = o.contact_id AND d.queued_at <= o.placed_at
        JOIN delivery_engagements e ON e.delivery_id = d.id AND e.workspace_id = o.workspace_id
        WHERE o.workspace_id = ${tenant.workspaceId} AND ${PURCHASE} AND o.contact_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM order_attributions a WHERE a.order_id = o.id) AND ${which}
      )
      WHERE touch IS NOT NULL
    )
    WHERE rank = 1
    ON CONFLICT (order_id) DO NOTHING`);
}

/**
 * The statements crediting an order (by its store connection and the store's id) to its message the
 * first time it is a purchase, and setting the credited revenue to what the order now brings in.
 * They go at the end of every order or refund event's batch, so they read the order as written;
 * replays and out-of-order events converge on the same row.
 */
export function attributeOrderStatements(tenant: Tenant, connectionId: string | null, orderExternalId: string): Statement[] {
  // Orders are keyed by their store connection (null: an order kept without one, see orders.connectionId).
  const isOrder = sql`o.connection_id IS ${connectionId} AND o.external_id = ${orderExternalId}`;
  return [
    creditOrders(tenant, isOrder),
    tenant.db.run(sql`
      UPDATE order_attributions SET revenue_cents = ${REVENUE}, currency = o.currency, ordered_at = o.placed_at
      FROM orders o
      WHERE o.workspace_id = ${tenant.workspaceId} AND ${isOrder}
        AND order_attributions.order_id = o.id AND order_attributions.workspace_id = ${tenant.workspaceId}`),
  ];
}

/** A flushed delivery's first reader open and click (null when this flush has none). */
export type FlushedTouch = { deliveryId: string; openedAt: number | null; clickedAt: number | null };

/**
 * Credits the purchases that a tracker flush's touches arrived too late for: those of the
 * contacts behind the touched deliveries, placed since the earliest touch and still uncredited.
 */
export async function attributeOrdersToFlushedTouches(tenant: Tenant, touches: FlushedTouch[]): Promise<void> {
  const touched = touches.filter((touch) => touch.openedAt !== null || touch.clickedAt !== null);
  if (!touched.length) return;
  const since = touched.reduce((earliest, touch) => Math.min(earliest, touch.openedAt ?? earliest, touch.clickedAt ?? earliest), Number.MAX_SAFE_INTEGER);
  const ids = JSON.stringify(touched.map((touch) => touch.deliveryId));
  await creditOrders(
    tenant,
    sql`o.placed_at >= ${since} AND o.contact_id IN (SELECT contact_id FROM deliveries WHERE +(workspace_id = ${tenant.workspaceId}) AND id IN (SELECT value FROM json_each(${ids})))`,
  );
}
