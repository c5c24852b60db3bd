// The log of a campaign or flow between two dates: each delivery as its latest event
// (pending since it was queued, sent, failed, skipped, outcome unknown or cancelled) and
// each order credited to it (a conversion), in time order. Keyset pages on (time, id)
// over both sources, merged; the CSV export walks the same pages.
import { and, asc, eq, gte, lt, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { contacts, type DeliverySource, deliveries, orderAttributions, orders } from '../db/schema';
import { orderLabel } from '../db/order-label';
import type { Tenant } from '../db/tenant';
import { keysetLimit, keysetPage } from '../lib/keyset-page';
import { type DayRange, type TimeCursor, timeCursorOf } from './reports.schemas';

export const LOG_EVENTS = ['pending', 'sent', 'failed', 'skipped', 'unknown', 'cancelled', 'conversion'] as const;
export type LogEvent = (typeof LOG_EVENTS)[number];

/**
 * One event. A delivery's: its id, status, recorded reason. A conversion's: the delivery
 * credited, the order (store's number) and its attributed revenue net of refunds.
 */
export type LogRow = {
  at: number;
  event: LogEvent;
  id: string;
  deliveryId: string;
  contactId: string;
  address: string | null;
  detail: string | null;
  orderNumber: string | null;
  revenueCents: number | null;
  currency: string | null;
};

/** A keyset page of a log; `nextCursor` is null on the last page. */
export type LogPage = { events: LogRow[]; nextCursor: string | null };

/** Most rows the CSV export writes. */
export const MAX_LOG_EXPORT_ROWS = 100_000;
const EXPORT_PAGE_SIZE = 500;

// When a delivery's current state began: queued for a pending one, sent, else its last change.
const deliveryAt = sql<number>`CASE WHEN ${deliveries.status} IN ('queued', 'sending') THEN ${deliveries.queuedAt} WHEN ${deliveries.status} = 'sent' THEN ${deliveries.sentAt} ELSE ${deliveries.updatedAt} END`;

function after(at: SQLWrapper, id: SQLWrapper, cursor: TimeCursor | undefined): SQL | undefined {
  return cursor ? sql`(${at} > ${cursor.at} OR (${at} = ${cursor.at} AND ${id} > ${cursor.id}))` : undefined;
}

async function readDeliveryEvents(tenant: Tenant, sourceType: DeliverySource, sourceId: string, range: DayRange, cursor: TimeCursor | undefined, limit: number): Promise<LogRow[]> {
  const rows = await tenant.db
    .select({
      at: deliveryAt,
      id: deliveries.id,
      status: deliveries.status,
      contactId: deliveries.contactId,
      channel: deliveries.channel,
      email: contacts.email,
      phone: contacts.phone,
      reason: deliveries.reason,
    })
    .from(deliveries)
    .leftJoin(contacts, and(eq(contacts.workspaceId, deliveries.workspaceId), eq(contacts.id, deliveries.contactId)))
    .where(
      tenant.where(
        deliveries,
        eq(deliveries.sourceType, sourceType),
        eq(deliveries.sourceId, sourceId),
        gte(deliveryAt, range.from),
        lt(deliveryAt, range.to),
        after(deliveryAt, deliveries.id, cursor),
      ),
    )
    .orderBy(asc(deliveryAt), asc(deliveries.id))
    .limit(limit);
  return rows.map((row) => ({
    at: row.at,
    event: row.status === 'queued' || row.status === 'sending' ? 'pending' : row.status,
    id: row.id,
    deliveryId: row.id,
    contactId: row.contactId,
    address: row.channel === 'sms' ? row.phone : row.email,
    detail: row.reason,
    orderNumber: null,
    revenueCents: null,
    currency: null,
  }));
}

async function readConversionEvents(tenant: Tenant, sourceType: DeliverySource, sourceId: string, range: DayRange, cursor: TimeCursor | undefined, limit: number): Promise<LogRow[]> {
  const rows = await tenant.db
    .select({
      at: orderAttributions.orderedAt,
      id: orderAttributions.orderId,
      deliveryId: orderAttributions.deliveryId,
      contactId: orderAttributions.contactId,
      email: contacts.email,
      touch: orderAttributions.touch,
      orderNumber: orderLabel,
      revenueCents: orderAttributions.revenueCents,
      currency: orderAttributions.currency,
    })
    .from(orderAttributions)
    .innerJoin(orders, and(eq(orders.workspaceId, orderAttributions.workspaceId), eq(orders.id, orderAttributions.orderId)))
    .leftJoin(contacts, and(eq(contacts.workspaceId, orderAttributions.workspaceId), eq(contacts.id, orderAttributions.contactId)))
    .where(
      tenant.where(
        orderAttributions,
        eq(orderAttributions.sourceType, sourceType),
        eq(orderAttributions.sourceId, sourceId),
        gte(orderAttributions.orderedAt, range.from),
        lt(orderAttributions.orderedAt, range.to),
        after(orderAttributions.orderedAt, orderAttributions.orderId, cursor),
      ),
    )
    .orderBy(asc(orderAttributions.orderedAt), asc(orderAttributions.orderId))
    .limit(limit);
  return rows.map(({ touch, email, ...row }) => ({ ...row, event: 'conversion', address: email, detail: touch === 'click' ? 'After a click' : 'After an open' }));
}

// Both lists are in (at, id) order; the first `limit` of the merge are among the first `limit` of each.
function byTimeThenId(a: LogRow, b: LogRow): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

async function readLogRows(tenant: Tenant, sourceType: DeliverySource, sourceId: string, range: DayRange, cursor: TimeCursor | undefined, limit: number): Promise<LogRow[]> {
  const [sent, converted] = await Promise.all([readDeliveryEvents(tenant, sourceType, sourceId, range, cursor, limit), readConversionEvents(tenant, sourceType, sourceId, range, cursor, limit)]);
  return [...sent, ...converted].sort(byTimeThenId).slice(0, limit);
}

/** One page of a source's log for the days of `range`. The caller checks the source is the workspace's. */
export async function listSourceLogs(tenant: Tenant, sourceType: DeliverySource, sourceId: string, range: DayRange, page: { cursor?: TimeCursor | undefined; limit: number }): Promise<LogPage> {
  const rows = await readLogRows(tenant, sourceType, sourceId, range, page.cursor, keysetLimit(page.limit));
  const { rows: events, nextCursor } = keysetPage(rows, page.limit, timeCursorOf);
  return { events, nextCursor };
}

/** Every event of the range (up to MAX_LOG_EXPORT_ROWS), a page at a time, for a streamed export. */
export async function* walkSourceLogs(tenant: Tenant, sourceType: DeliverySource, sourceId: string, range: DayRange): AsyncGenerator<LogRow[]> {
  let cursor: TimeCursor | undefined;
  for (let written = 0; written < MAX_LOG_EXPORT_ROWS; written += EXPORT_PAGE_SIZE) {
    const rows = await readLogRows(tenant, sourceType, sourceId, range, cursor, EXPORT_PAGE_SIZE);
    if (rows.length) yield rows;
    const last = rows.at(-1);
    if (rows.length < EXPORT_PAGE_SIZE || !last) return;
    cursor = { at: last.at, id: last.id };
  }
}
