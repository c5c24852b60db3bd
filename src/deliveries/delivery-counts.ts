// Reading the per-status delivery counts that the database keeps itself (the
// `delivery_counts` triggers): a campaign's progress or a report's figures cost a few
// rows, not a scan of every delivery.
import { eq, gt } from 'drizzle-orm';
import { inJsonList } from '../db/client';
import { type DeliverySource, type DeliveryStatus, deliveryCounts } from '../db/schema';
import type { Tenant } from '../db/tenant';

/** How many deliveries of one source are in one status with one reason code (null: none). */
export type DeliveryCount = { sourceId: string; status: DeliveryStatus; reasonCode: string | null; n: number };

/** The non-zero counts of these sources of one type. */
export async function readDeliveryCounts(tenant: Tenant, sourceType: DeliverySource, sourceIds: string[]): Promise<DeliveryCount[]> {
  if (!sourceIds.length) return [];
  const rows = await tenant.db
    .select({ sourceId: deliveryCounts.sourceId, status: deliveryCounts.status, reasonCode: deliveryCounts.reasonCode, n: deliveryCounts.n })
    .from(deliveryCounts)
    .where(tenant.where(deliveryCounts, eq(deliveryCounts.sourceType, sourceType), inJsonList(deliveryCounts.sourceId, sourceIds), gt(deliveryCounts.n, 0)));
  return rows.map((row) => ({ ...row, reasonCode: row.reasonCode === '' ? null : row.reasonCode }));
}
