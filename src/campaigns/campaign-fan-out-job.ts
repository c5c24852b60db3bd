// The `fan-out-page` job: resolves the next keyset page of a sending campaign's
// audience (evaluated now) into deliveries, enqueues their sends, and enqueues the
// page after it. A page delivered twice writes nothing new (the deliveries' unique
// key) and enqueues no second "next page" (the cursor moves only from where it was).
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { openDb } from '../db/client';
import { campaigns, contacts } from '../db/schema';
import { forWorkspace } from '../db/tenant';
import type { Env } from '../env';
import type { FanOutPageMessage } from '../jobs/queue-messages';
import { queueEmailDeliveries } from '../messages/deliveries.service';
import { compileCampaignAudience, requiresOptIn } from './campaign-audience';
import { audienceOf, campaignDefinition } from './campaigns.service';

/**
 * Contacts per page. One page costs 1 audience query, ceil(500 / 6) = 84 insert
 * statements in one D1 batch, 5 `sendBatch` calls of 100 and 2 more writes: about 10
 * subrequests and well under a second of CPU, whatever the audience size; a
 * 1,000,000-contact campaign is 2,000 such invocations, one after the other.
 */
export const FAN_OUT_PAGE_SIZE = 500;

export async function runFanOutPageJob(message: z.infer<typeof FanOutPageMessage>, env: Env): Promise<void> {
  const tenant = forWorkspace(openDb(env.DB), message.workspaceId);
  const [campaign] = await tenant.db.select().from(campaigns).where(tenant.where(campaigns, eq(campaigns.id, message.campaignId))).limit(1);
  // Not sending, already past this page, or finished: a repeat or a stale message.
  if (!campaign || campaign.status !== 'sending' || campaign.fanOutDone || campaign.fanOutCursor !== message.afterContactId) return;
  if (!campaign.contentId) return;

  const now = Date.now();
  const definition = await campaignDefinition(tenant, audienceOf(campaign));
  const where = compileCampaignAudience(definition, campaign.channel, campaign.sendingFilter, { workspaceId: tenant.workspaceId, now });
  const page = await tenant.db
    .select({ id: contacts.id })
    .from(contacts)
    .where(message.afterContactId ? and(where, gt(contacts.id, message.afterContactId)) : where)
    .orderBy(asc(contacts.id))
    .limit(FAN_OUT_PAGE_SIZE);

  await queueEmailDeliveries(
    tenant,
    env.SENDS_QUEUE,
    page.map((contact) => ({ contactId: contact.id, sourceType: 'campaign' as const, sourceId: campaign.id, contentId: campaign.contentId!, requiresOptIn: requiresOptIn(campaign.sendingFilter) })),
    now,
  );

  const done = page.length < FAN_OUT_PAGE_SIZE;
  const cursor = page.at(-1)?.id ?? message.afterContactId;
  const [advanced] = await tenant.db
    .update(campaigns)
    .set({ fanOutCursor: cursor, fanOutDone: done, updatedAt: now })
    .where(tenant.where(campaigns, eq(campaigns.id, campaign.id), eq(campaigns.status, 'sending'), sql`${campaigns.fanOutCursor} IS ${message.afterContactId}`))
    .returning({ id: campaigns.id });
  if (advanced && !done) await env.SENDS_QUEUE.send({ type: 'fan-out-page', workspaceId: tenant.workspaceId, campaignId: campaign.id, afterContactId: cursor });
}
