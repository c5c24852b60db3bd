// The campaign work of each cron tick, across workspaces: start the campaigns that
// are due, finish those whose every delivery is final, and restart fan-outs whose
// next page message was lost. Each step is an atomic conditional update, so two
// overlapping ticks never start (or finish) a campaign twice.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { campaigns } from '../db/schema';
import { claimDueCampaigns, listFannedOutCampaigns, touchStalledFanOuts } from '../db/system';
import { forWorkspace } from '../db/tenant';
import { enqueue, type Queues } from '../queues/enqueue';
import { fanOutPageMessage } from '../queues/messages';
import { MINUTE } from '../lib/time';
import { campaignProgress } from './campaigns.service';

// Campaigns started, finished or resumed per tick; the next tick takes the rest.
const PER_TICK = 100;
// A fan-out that has not moved for this long lost its page message (pages take seconds).
const STALLED_AFTER = 10 * MINUTE;

/** Claims due scheduled campaigns (scheduled → sending) and enqueues their first fan-out page. */
export async function startDueCampaigns(db: Db, queues: Queues, now: number): Promise<number> {
  const claimed = await claimDueCampaigns(db, now, PER_TICK);
  await enqueue(
    queues,
    claimed.map((row) => fanOutPageMessage(row, null)),
  );
  return claimed.length;
}

/** Marks sending campaigns sent once their audience is paged and no delivery is still pending. */
export async function finishSentCampaigns(db: Db, now: number): Promise<number> {
  const sending = await listFannedOutCampaigns(db, PER_TICK);
  let finished = 0;
  for (const campaign of sending) {
    const tenant = forWorkspace(db, campaign.workspaceId);
    // One read of the delivery counts gives both what is pending and the recipients.
    const { pending, recipients } = (await campaignProgress(tenant, [campaign.id])).get(campaign.id) ?? { pending: 0, recipients: 0 };
    if (pending > 0) continue;
    const [row] = await db
      .update(campaigns)
      .set({ status: 'sent', finishedAt: now, recipients, updatedAt: now })
      .where(tenant.where(campaigns, eq(campaigns.id, campaign.id), eq(campaigns.status, 'sending')))
      .returning({ id: campaigns.id });
    if (row) finished += 1;
  }
  return finished;
}

/** Re-enqueues the next page of fan-outs that stopped moving (a page message lost after the cursor moved). */
export async function requeueStalledFanOuts(db: Db, queues: Queues, now: number): Promise<number> {
  const stalled = await touchStalledFanOuts(db, now - STALLED_AFTER, PER_TICK, now);
  await enqueue(
    queues,
    stalled.map((row) => fanOutPageMessage(row, row.cursor)),
  );
  return stalled.length;
}
