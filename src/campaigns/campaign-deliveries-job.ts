// The `campaign-deliveries-page` job: walks a resumed or cancelled campaign's deliveries
// page by page (by contact, never one query over all of them) and acts on those still
// queued: a resume re-enqueues their sends (the send job claims each once, so a delivery
// whose message is still on the queue is not sent twice), a cancel marks them cancelled.
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import { openDb } from '../db/client';
import { campaigns, type CampaignStatus } from '../db/schema';
import { forWorkspace } from '../db/tenant';
import type { Env } from '../env';
import { enqueue } from '../queues/enqueue';
import { campaignDeliveriesPageMessage, type CampaignDeliveriesPageMessage } from '../queues/messages';
import { cancelQueuedDeliveries, enqueueDeliveries } from '../deliveries/deliveries.service';
import { pageCampaignDeliveries, stillQueued } from './campaign-deliveries';

type Message = z.infer<typeof CampaignDeliveriesPageMessage>;

/**
 * Deliveries per page: one indexed read, then either 5 `sendBatch` calls of 100 or
 * ceil(500 / 90) = 6 updates in one D1 batch, and one message for the next page. A
 * campaign of 1,000,000 is 2,000 such invocations.
 */
export const DELIVERIES_PAGE_SIZE = 500;

// The status a campaign must still be in for each walk to go on: a resume walk stops
// when the campaign is paused again (the next resume walks from the start).
const WALKS_WHILE: Record<Message['action'], CampaignStatus> = { resume: 'sending', cancel: 'cancelled' };

export async function runCampaignDeliveriesPageJob(message: Message, env: Env): Promise<void> {
  const tenant = forWorkspace(openDb(env.DB), message.workspaceId);
  const [campaign] = await tenant.db
    .select({ id: campaigns.id, workspaceId: campaigns.workspaceId, status: campaigns.status })
    .from(campaigns)
    .where(tenant.where(campaigns, eq(campaigns.id, message.campaignId)))
    .limit(1);
  if (!campaign || campaign.status !== WALKS_WHILE[message.action]) return;
  const page = await pageCampaignDeliveries(tenant, campaign.id, message.afterContactId, DELIVERIES_PAGE_SIZE);
  const queued = stillQueued(page);
  if (message.action === 'resume') await enqueueDeliveries(env, tenant.workspaceId, queued);
  else
    await cancelQueuedDeliveries(
      tenant,
      queued.map((row) => row.id),
    );
  // The next page only once this one is done: a retried page redoes its own work
  // (harmless both ways) instead of starting a second walk.
  if (page.length === DELIVERIES_PAGE_SIZE) await enqueue(env, [campaignDeliveriesPageMessage(campaign, message.action, page.at(-1)!.contactId)]);
}
