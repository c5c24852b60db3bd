// Reading a campaign's or flow's opens and clicks as flushed to D1 by its trackers.
import { and, eq, sql } from 'drizzle-orm';
import { type DeliverySource, engagementDaily } from '../db/schema';
import type { Tenant } from '../db/tenant';

/** Readers' unique opens and clicks of one campaign or flow, and machine opens apart. */
export type EngagementFigures = { uniqueOpens: number; uniqueClicks: number; machineOpens: number };

/** All-time figures of one campaign or flow (a few seconds behind the hits: trackers flush by alarm). */
export async function readEngagementFigures(tenant: Tenant, sourceType: DeliverySource, sourceId: string): Promise<EngagementFigures> {
  const [row] = await tenant.db
    .select({
      uniqueOpens: sql<number>`coalesce(sum(${engagementDaily.uniqueOpens}), 0)`,
      uniqueClicks: sql<number>`coalesce(sum(${engagementDaily.uniqueClicks}), 0)`,
      machineOpens: sql<number>`coalesce(sum(${engagementDaily.machineOpens}), 0)`,
    })
    .from(engagementDaily)
    .where(tenant.where(engagementDaily, and(eq(engagementDaily.sourceType, sourceType), eq(engagementDaily.sourceId, sourceId))));
  return row ?? { uniqueOpens: 0, uniqueClicks: 0, machineOpens: 0 };
}
