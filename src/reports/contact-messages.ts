// The messages one contact received (or was meant to): channel, the campaign or flow,
// status, the reader's first open and click, and the orders credited to each. Newest
// first, a keyset page at a time on (queued time, id), which the deliveries' index by
// contact serves.
import { and, desc, eq, lt, or, sql } from 'drizzle-orm';
import { campaigns, type ConsentChannel, type DeliverySource, type DeliveryStatus, deliveries, deliveryEngagements, orderAttributions } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { keysetLimit, keysetPage } from '../lib/keyset-page';
import { type ContactMessagesQuery, timeCursorOf } from './reports.schemas';

/** One message to the contact. `sourceName`: the campaign's name, null for a flow's or a deleted campaign's. */
export type ContactMessage = {
  deliveryId: string;
  channel: ConsentChannel;
  sourceType: DeliverySource;
  sourceId: string;
  sourceName: string | null;
  status: DeliveryStatus;
  reason: string | null;
  queuedAt: number;
  sentAt: number | null;
  openedAt: number | null;
  clickedAt: number | null;
  orders: number;
  revenueCents: number;
  currency: string | null;
};

/** A keyset page of a contact's messages; `nextCursor` is null on the last page. */
export type ContactMessagePage = { messages: ContactMessage[]; nextCursor: string | null };

/** One page of the contact's messages. The caller checks the contact is the workspace's. */
export async function listContactMessages(tenant: Tenant, contactId: string, query: ContactMessagesQuery): Promise<ContactMessagePage> {
  const { cursor } = query;
  // Credited orders still worth something, as the reports count them.
  const credited = <T>(expression: ReturnType<typeof sql>) =>
    sql<T>`(SELECT ${expression} FROM ${orderAttributions} WHERE ${orderAttributions.deliveryId} = ${deliveries.id} AND ${orderAttributions.revenueCents} > 0)`;
  const rows = await tenant.db
    .select({
      deliveryId: deliveries.id,
      channel: deliveries.channel,
      sourceType: deliveries.sourceType,
      sourceId: deliveries.sourceId,
      sourceName: campaigns.name,
      status: deliveries.status,
      reason: deliveries.reason,
      queuedAt: deliveries.queuedAt,
      sentAt: deliveries.sentAt,
      openedAt: deliveryEngagements.openedAt,
      clickedAt: deliveryEngagements.clickedAt,
      orders: credited<number>(sql`count(*)`),
      revenueCents: credited<number>(sql`coalesce(sum(${orderAttributions.revenueCents}), 0)`),
      currency: credited<string | null>(sql`min(${orderAttributions.currency})`),
    })
    .from(deliveries)
    .leftJoin(campaigns, and(eq(deliveries.sourceType, 'campaign'), eq(campaigns.workspaceId, deliveries.workspaceId), eq(campaigns.id, deliveries.sourceId)))
    .leftJoin(deliveryEngagements, eq(deliveryEngagements.deliveryId, deliveries.id))
    .where(
      tenant.where(deliveries, eq(deliveries.contactId, contactId), cursor ? or(lt(deliveries.queuedAt, cursor.at), and(eq(deliveries.queuedAt, cursor.at), lt(deliveries.id, cursor.id))) : undefined),
    )
    .orderBy(desc(deliveries.queuedAt), desc(deliveries.id))
    .limit(keysetLimit(query.limit));
  const page = keysetPage(rows, query.limit, (row) => timeCursorOf({ at: row.queuedAt, id: row.deliveryId }));
  return { messages: page.rows.map((row) => ({ ...row, currency: row.orders ? row.currency : null })), nextCursor: page.nextCursor };
}
