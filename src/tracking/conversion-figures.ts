// Reading conversions and attributed revenue from order_attributions (written by attribution.ts).
import { and, eq, gt, gte, lt, type SQL, sql } from 'drizzle-orm';
import { type ConsentChannel, type DeliverySource, deliveries, orderAttributions } from '../db/schema';
import type { Tenant } from '../db/tenant';

/** Attributed revenue in minor units, one entry per currency (orders are never converted). */
export type RevenueByCurrency = { currency: string; cents: number }[];
/** Orders credited to messages, and their revenue net of refunds. */
export type ConversionFigures = { conversions: number; revenue: RevenueByCurrency };

/** A campaign's or flow's conversions; `range` filters on the order's placed time, [from, to). */
export async function readConversionFigures(tenant: Tenant, sourceType: DeliverySource, sourceId: string, range?: { from: number; to: number }): Promise<ConversionFigures> {
  return readFigures(tenant, [eq(orderAttributions.sourceType, sourceType), eq(orderAttributions.sourceId, sourceId), ...inRange(range)]);
}

/** The workspace's conversions for orders placed in [from, to), by the channel of the message credited. */
export async function readConversionsByChannel(tenant: Tenant, range: { from: number; to: number }): Promise<Map<ConsentChannel, ConversionFigures>> {
  const rows = await tenant.db
    .select({ channel: deliveries.channel, currency: orderAttributions.currency, orders: sql<number>`count(*)`, cents: sql<number>`sum(${orderAttributions.revenueCents})` })
    .from(orderAttributions)
    .innerJoin(deliveries, eq(deliveries.id, orderAttributions.deliveryId))
    .where(tenant.where(orderAttributions, and(...inRange(range), gt(orderAttributions.revenueCents, 0))))
    .groupBy(deliveries.channel, orderAttributions.currency)
    .orderBy(orderAttributions.currency);
  const figures = new Map<ConsentChannel, ConversionFigures>();
  for (const { channel, currency, orders, cents } of rows) {
    const entry = figures.get(channel) ?? { conversions: 0, revenue: [] };
    entry.conversions += orders;
    entry.revenue.push({ currency, cents });
    figures.set(channel, entry);
  }
  return figures;
}

/** Every campaign's and flow's conversions of the workspace for orders placed in [from, to). */
export async function readWorkspaceConversions(tenant: Tenant, range: { from: number; to: number }): Promise<ConversionFigures> {
  return readFigures(tenant, inRange(range));
}

function inRange(range: { from: number; to: number } | undefined): SQL[] {
  return range ? [gte(orderAttributions.orderedAt, range.from), lt(orderAttributions.orderedAt, range.to)] : [];
}

// A conversion is a credited order that is still a purchase with revenue left: attribution.ts
// keeps each row's revenue by the purchase rule (purchases/purchase-rule.ts), so an order that
// is no purchase any more (cancelled, failed, fully refunded) keeps its row (a replay cannot
// credit it to another message) at revenue 0, and stops counting.
async function readFigures(tenant: Tenant, conditions: SQL[]): Promise<ConversionFigures> {
  const rows = await tenant.db
    .select({
      currency: orderAttributions.currency,
      orders: sql<number>`count(*)`,
      cents: sql<number>`sum(${orderAttributions.revenueCents})`,
    })
    .from(orderAttributions)
    .where(tenant.where(orderAttributions, and(...conditions, gt(orderAttributions.revenueCents, 0))))
    .groupBy(orderAttributions.currency)
    .orderBy(orderAttributions.currency);
  return {
    conversions: rows.reduce((total, row) => total + row.orders, 0),
    revenue: rows.map(({ currency, cents }) => ({ currency, cents })),
  };
}
