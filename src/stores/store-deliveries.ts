// A connection's deliveries log: the last webhooks a store sent and what became of each,
// so a merchant can debug their setup without us. Verified deliveries are the inbound
// events themselves (a duplicate only counts on its event); deliveries refused at the edge
// (unsigned, or before the secret is set) are one row per connection and reason, so a
// flood of them cannot grow storage.
import { desc, eq, sql } from 'drizzle-orm';
import { inboundEvents, type InboundEventStatus } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { newId } from '../lib/ids';

/** Why the edge refused a delivery before reading it. */
export type EdgeRejection = 'no_secret' | 'bad_signature' | 'stale_signature';

/** The sentence a merchant reads for each edge rejection (also the 401's message). */
export const EDGE_REJECTION_REASONS: Record<EdgeRejection, string> = {
  no_secret: 'No signing secret yet: paste the secret the store shows into this connection.',
  bad_signature: 'The signature does not match this connection’s secret.',
  stale_signature: 'The signature timestamp is more than 5 minutes away from now; sign each request when sending it.',
};

/** One row of the log: a delivery (with its duplicates counted) or a bucket of edge rejections. */
export type StoreDeliveryView = {
  id: string;
  topic: string;
  status: InboundEventStatus;
  reason: string | null;
  // Times the store sent it: 2 or more means duplicates (or repeated rejections) arrived.
  deliveries: number;
  // When it first arrived (a bucket of edge rejections: the latest of them).
  receivedAt: number;
  // When its last duplicate arrived, or null.
  redeliveredAt: number | null;
};

/** How many deliveries the log shows per connection. */
export const DELIVERIES_SHOWN = 20;

/** The connection's latest deliveries, newest first. */
export async function listConnectionDeliveries(tenant: Tenant, connectionId: string, limit = DELIVERIES_SHOWN): Promise<StoreDeliveryView[]> {
  return tenant.db
    .select({
      id: inboundEvents.id,
      topic: inboundEvents.topic,
      status: inboundEvents.status,
      reason: inboundEvents.reason,
      deliveries: inboundEvents.deliveries,
      receivedAt: inboundEvents.receivedAt,
      redeliveredAt: inboundEvents.redeliveredAt,
    })
    .from(inboundEvents)
    .where(tenant.where(inboundEvents, eq(inboundEvents.connectionId, connectionId)))
    .orderBy(desc(inboundEvents.receivedAt), desc(inboundEvents.id))
    .limit(limit);
}

// Edge rejections are keyed by reason; no store's delivery id starts with this.
const EDGE_REJECTION_KEY = 'edge-rejected:';

/**
 * Records a delivery the edge refused: one row per connection and reason, moved to the top
 * of the log (received now) with the latest topic, its count going up. Unsigned requests
 * write here, so the row count stays fixed whatever arrives.
 */
export async function recordEdgeRejection(tenant: Tenant, connectionId: string, rejection: EdgeRejection, topic: string, now = Date.now()): Promise<void> {
  await tenant.db
    .insert(inboundEvents)
    .values(
      tenant.row({
        id: newId(now),
        connectionId,
        topic,
        dedupeKey: `${EDGE_REJECTION_KEY}${rejection}`,
        status: 'rejected' as const,
        reason: EDGE_REJECTION_REASONS[rejection],
        receivedAt: now,
      }),
    )
    .onConflictDoUpdate({
      target: [inboundEvents.connectionId, inboundEvents.dedupeKey],
      set: { topic, receivedAt: now, deliveries: sql`${inboundEvents.deliveries} + 1` },
      setWhere: tenant.where(inboundEvents),
    });
}
