// The campaign work of each cron tick, across workspaces: start the campaigns that
// are due (or hold those that must not go out), finish those whose every delivery is
// final, and restart fan-outs whose next page message was lost. Each step is an atomic
// conditional update, so two overlapping ticks never start (or finish) a campaign twice.
import { eq, lte } from 'drizzle-orm';
import type { Db } from '../db/client';
import { type CampaignChannel, campaigns } from '../db/schema';
import { claimDueCampaigns, listDueCampaigns, listFannedOutCampaigns, touchStalledFanOuts } from '../db/system';
import { forWorkspace, type Tenant } from '../db/tenant';
import { enqueue, type Queues } from '../queues/enqueue';
import { fanOutPageMessage } from '../queues/messages';
import { groupBy } from '../lib/chunk';
import type { FieldIssue } from '../lib/errors';
import { MINUTE } from '../lib/time';
import { canMoveCampaign } from './campaign-status';
import { campaignFooterIssues, campaignProgress } from './campaigns.service';

// Campaigns started, finished or resumed per tick; the next tick takes the rest.
const PER_TICK = 100;
// A fan-out that has not moved for this long lost its page message (pages take seconds).
const STALLED_AFTER = 10 * MINUTE;

/** What a campaign held at its send time says to the merchant (its pause reason). */
function footerHoldReason(issue: FieldIssue): string {
  return `Not started at its scheduled time: its email would go out without your postal address in the footer. ${issue.message}; then resume it to send it now.`;
}

/**
 * Holds the due email campaigns of one workspace that would go out without a postal address
 * in the footer (scheduled → paused, with the reason): the rule checked when scheduling,
 * checked again at send time, as the address or the design may have changed since. Returns
 * the ids held.
 */
async function holdUnsendable(tenant: Tenant, due: { id: string; channel: CampaignChannel; contentId: string | null }[], now: number): Promise<string[]> {
  if (!canMoveCampaign('scheduled', 'paused')) throw new Error('a scheduled campaign cannot be held');
  const issues = await campaignFooterIssues(tenant, due);
  const holds = [...issues].map(([id, issue]) =>
    tenant.db
      .update(campaigns)
      .set({ status: 'paused', pausedAt: now, pauseReason: footerHoldReason(issue), updatedAt: now })
      .where(tenant.where(campaigns, eq(campaigns.id, id), eq(campaigns.status, 'scheduled'), lte(campaigns.scheduledAt, now)))
      .returning({ id: campaigns.id }),
  );
  const [first, ...rest] = holds;
  return first ? (await tenant.db.batch([first, ...rest])).flat().map((row) => row.id) : [];
}

/**
 * Starts due scheduled campaigns (scheduled → sending) and enqueues their first fan-out
 * page; holds those that must not go out (holdUnsendable). A workspace whose check fails
 * keeps its campaigns scheduled for the next tick; the others still start.
 */
export async function startDueCampaigns(db: Db, queues: Queues, now: number): Promise<number> {
  const due = await listDueCampaigns(db, now, PER_TICK);
  const startable: string[] = [];
  let held = 0;
  for (const [workspaceId, group] of groupBy(due, (row) => row.workspaceId)) {
    try {
      const heldIds = new Set(await holdUnsendable(forWorkspace(db, workspaceId), group, now));
      held += heldIds.size;
      for (const row of group) if (!heldIds.has(row.id)) startable.push(row.id);
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', task: 'start-due-campaigns', workspaceId, error: String(err) }));
    }
  }
  const claimed = await claimDueCampaigns(db, startable, now);
  await enqueue(
    queues,
    claimed.map((row) => fanOutPageMessage(row, null)),
  );
  return claimed.length + held;
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
