// A campaign's deliveries read back: keyset pages by contact for the jobs that walk
// all of them (requeue, resume, cancel), and its results recipient by recipient.
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { contacts, deliveries, type ConsentChannel, type DeliveryStatus } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { keysetLimit, keysetPage } from '../lib/keyset-page';
import type { CampaignResultsQuery, ResultStatus } from './campaigns.schemas';
import { RESULT_STATUSES } from './campaigns.schemas';

/** One delivery of a page walked by contact. */
export type CampaignDeliveryRef = { id: string; contactId: string; channel: ConsentChannel; status: DeliveryStatus };

/**
 * Up to `limit` of the campaign's deliveries after `afterContactId` (null: from the
 * first), by contact id. It reads the deliveries' unique index (one per contact for a
 * campaign) in order, so a page costs `limit` rows however large the campaign.
 */
export async function pageCampaignDeliveries(tenant: Tenant, campaignId: string, afterContactId: string | null, limit: number): Promise<CampaignDeliveryRef[]> {
  return tenant.db
    .select({ id: deliveries.id, contactId: deliveries.contactId, channel: deliveries.channel, status: deliveries.status })
    .from(deliveries)
    .where(
      tenant.where(
        deliveries,
        eq(deliveries.sourceType, 'campaign'),
        eq(deliveries.sourceId, campaignId),
        eq(deliveries.stepKey, ''),
        afterContactId ? gt(deliveries.contactId, afterContactId) : undefined,
      ),
    )
    .orderBy(asc(deliveries.contactId))
    .limit(limit);
}

/** A page's deliveries that are still queued (not yet claimed by a send). */
export function stillQueued(page: CampaignDeliveryRef[]): CampaignDeliveryRef[] {
  return page.filter((row) => row.status === 'queued');
}

/** One recipient of a campaign whose message did not simply go out, and why. */
export type CampaignResult = { deliveryId: string; contactId: string; email: string | null; status: ResultStatus; reason: string | null; reasonCode: string | null; at: number };

/** A keyset page of results; `nextCursor` is null on the last page. */
export type CampaignResultPage = { results: CampaignResult[]; nextCursor: string | null };

/**
 * The campaign's failed, skipped, unknown-outcome and cancelled recipients (or those of
 * one outcome), oldest delivery first, with the reason each was recorded with. Reads the
 * deliveries' index by campaign and status, so a page costs the rows of that outcome.
 */
export async function listCampaignResults(tenant: Tenant, campaignId: string, query: CampaignResultsQuery): Promise<CampaignResultPage> {
  const rows = await tenant.db
    .select({
      deliveryId: deliveries.id,
      contactId: deliveries.contactId,
      email: contacts.email,
      status: deliveries.status,
      reason: deliveries.reason,
      reasonCode: deliveries.reasonCode,
      at: deliveries.updatedAt,
    })
    .from(deliveries)
    .leftJoin(contacts, and(eq(contacts.workspaceId, deliveries.workspaceId), eq(contacts.id, deliveries.contactId)))
    .where(
      tenant.where(
        deliveries,
        eq(deliveries.sourceType, 'campaign'),
        eq(deliveries.sourceId, campaignId),
        query.status ? eq(deliveries.status, query.status) : inArray(deliveries.status, [...RESULT_STATUSES]),
        query.cursor ? gt(deliveries.id, query.cursor) : undefined,
      ),
    )
    .orderBy(asc(deliveries.id))
    .limit(keysetLimit(query.limit));
  const page = keysetPage(rows, query.limit, (row) => row.deliveryId);
  return { results: page.rows.map((row) => ({ ...row, status: row.status as ResultStatus })), nextCursor: page.nextCursor };
}
