// The `fan-out-page` job: resolves the next keyset page of a sending campaign's
// audience (evaluated now) into deliveries, enqueues their sends, and enqueues the
// page after it. A page delivered twice writes nothing new (the deliveries' unique
// key) and enqueues no second "next page" (the cursor moves only from where it was).
// Only a sending campaign is paged: paused, its cursor stays where it is for the resume.
import { asc, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { openDb } from '../db/client';
import { campaigns, contacts, type CampaignStatus } from '../db/schema';
import { forWorkspace, pageAfter, type Tenant } from '../db/tenant';
import type { Env } from '../env';
import { fanOutPageMessage, type FanOutPageMessage } from '../queues/messages';
import { cancelQueuedDeliveries, enqueueDeliveries, writeDeliveries } from '../deliveries/deliveries.service';
import { compileCampaignAudience, requiresOptIn } from './campaign-audience';
import { pageCampaignDeliveries, stillQueued } from './campaign-deliveries';
import { audienceOf, campaignDefinition } from './campaigns.service';

/**
 * Contacts per page. One page costs 1 audience query, ceil(500 / 6) = 84 insert
 * statements in one D1 batch, 5 `sendBatch` calls of 100 and 2 more writes: about 10
 * subrequests and well under a second of CPU, whatever the audience size; a
 * 1,000,000-contact campaign is 2,000 such invocations, one after the other.
 */
export const FAN_OUT_PAGE_SIZE = 500;

/**
 * Re-enqueues the sends of a page whose deliveries are still queued (their messages may
 * have been lost with the invocation that wrote them). A send message twice is harmless:
 * only one claim of a delivery succeeds.
 */
async function requeuePage(tenant: Tenant, env: Env, campaignId: string, afterContactId: string | null): Promise<void> {
  const page = await pageCampaignDeliveries(tenant, campaignId, afterContactId, FAN_OUT_PAGE_SIZE);
  await enqueueDeliveries(env, tenant.workspaceId, stillQueued(page));
}

/** The campaign's status now (after this page lost the race to move its cursor). */
async function statusNow(tenant: Tenant, campaignId: string): Promise<CampaignStatus | undefined> {
  const [row] = await tenant.db
    .select({ status: campaigns.status })
    .from(campaigns)
    .where(tenant.where(campaigns, eq(campaigns.id, campaignId)))
    .limit(1);
  return row?.status;
}

export async function runFanOutPageJob(message: z.infer<typeof FanOutPageMessage>, env: Env): Promise<void> {
  const tenant = forWorkspace(openDb(env.DB), message.workspaceId);
  const [campaign] = await tenant.db
    .select()
    .from(campaigns)
    .where(tenant.where(campaigns, eq(campaigns.id, message.campaignId)))
    .limit(1);
  if (campaign?.status !== 'sending' || !campaign.contentId) return;
  // Already past this page: a repeat, or a retry of a page that died after moving the cursor.
  if (campaign.fanOutDone || campaign.fanOutCursor !== message.afterContactId) return requeuePage(tenant, env, campaign.id, message.afterContactId);

  const now = Date.now();
  const definition = await campaignDefinition(tenant, audienceOf(campaign));
  const where = compileCampaignAudience(definition, campaign.channel, campaign.sendingFilter, { workspaceId: tenant.workspaceId, now });
  const page = await tenant.db
    .select({ id: contacts.id })
    .from(contacts)
    .where(pageAfter(tenant, contacts, message.afterContactId, where))
    .orderBy(asc(contacts.id))
    .limit(FAN_OUT_PAGE_SIZE);

  const created = await writeDeliveries(
    tenant,
    page.map((contact) => ({
      contactId: contact.id,
      channel: campaign.channel,
      sourceType: 'campaign' as const,
      sourceId: campaign.id,
      contentId: campaign.contentId!,
      requiresOptIn: requiresOptIn(campaign.sendingFilter),
    })),
    now,
  );

  const done = page.length < FAN_OUT_PAGE_SIZE;
  const cursor = page.at(-1)?.id ?? message.afterContactId;
  const [advanced] = await tenant.db
    .update(campaigns)
    .set({ fanOutCursor: cursor, fanOutDone: done, updatedAt: now })
    .where(tenant.where(campaigns, eq(campaigns.id, campaign.id), eq(campaigns.status, 'sending'), sql`${campaigns.fanOutCursor} IS ${message.afterContactId}`))
    .returning({ id: campaigns.id });
  // Cancelled while this page was resolved: the cancel's walk may already have passed
  // these contacts, so the deliveries just written are cancelled here. (Paused instead,
  // they stay queued: the claim refuses them, and the resume re-enqueues them.)
  if (!advanced && (await statusNow(tenant, campaign.id)) === 'cancelled')
    return cancelQueuedDeliveries(
      tenant,
      created.map((row) => row.id),
      now,
    );
  // The next page goes ahead of this page's sends, so the audience is resolved while
  // they go out rather than after. If this fails, the retried message finds the cursor
  // moved and requeues this page's sends; the cron restarts a stalled fan-out.
  const nextPage = advanced && !done ? [fanOutPageMessage(campaign, cursor)] : [];
  await enqueueDeliveries(env, tenant.workspaceId, created, nextPage);
}
