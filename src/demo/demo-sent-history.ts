// The demo's sent messages: a campaign sent ten days ago and the Welcome flow's messages
// since it was switched on, so the first look at a report shows real figures. Messages
// sent in the past cannot go through SMTP now: their delivery rows are written by the
// product's own writeDeliveries and marked sent at their time, and their readers' opens
// and clicks reach D1 through writeEngagementFlush, exactly as a CampaignTracker flushes
// them, which also credits the orders that followed a click (src/tracking/attribution.ts).
import { eq, inArray } from 'drizzle-orm';
import { campaigns, deliveries, type DeliverySource } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { writeDeliveries } from '../deliveries/deliveries.service';
import { DAY, HOUR, MINUTE } from '../lib/time';
import type { DailyEngagement, DeliveryEngagement, EngagementFlush, LinkEngagement } from '../tracking/engagement-store';
import { writeEngagementFlush } from '../tracking/flush-engagement';
import type { Random } from './demo-random';

/** One message sent in the past: to whom, when, and whether the reader must have clicked (an order followed it). */
export type PastSend = { contactId: string; sentAt: number; occurrenceKey?: string; stepKey?: string; clicked?: boolean };

const dayOf = (at: number) => at - (at % DAY);

/** Readers' behaviour, roughly an average store's: a privacy proxy for some, opens, and clicks of openers. */
const MACHINE_OPEN_SHARE = 0.15;
const OPEN_SHARE = 0.42;
const CLICK_SHARE_OF_OPENS = 0.25;

/** The flush a tracker would have written for these sends' opens and clicks (one open and one click at most each). */
function engagementOf(random: Random, sent: { id: string; sentAt: number; clicked: boolean }[], links: string[]): EngagementFlush {
  const rows: DeliveryEngagement[] = [];
  const daily = new Map<number, DailyEngagement>();
  const linkDays = new Map<string, LinkEngagement>();
  const dayRow = (at: number) => {
    const day = dayOf(at);
    const row = daily.get(day) ?? { day, opens: 0, uniqueOpens: 0, machineOpens: 0, clicks: 0, uniqueClicks: 0, machineClicks: 0 };
    daily.set(day, row);
    return row;
  };
  for (const send of sent) {
    const machine = random.chance(MACHINE_OPEN_SHARE) ? send.sentAt + random.int(5, 90) * 1000 : null;
    const clicks = send.clicked || random.chance(OPEN_SHARE * CLICK_SHARE_OF_OPENS);
    // A reader who went on to order read it within the hour, so the click comes before the order.
    const opened = send.clicked ? send.sentAt + random.int(4, 60) * MINUTE : clicks || random.chance(OPEN_SHARE) ? send.sentAt + random.int(4, 36 * 60) * MINUTE : null;
    const clicked = clicks && opened !== null ? opened + random.int(1, 20) * MINUTE : null;
    if (machine === null && opened === null) continue;
    rows.push({ d: send.id, o: opened, c: clicked, m: machine, lo: opened, lc: clicked });
    if (machine !== null) dayRow(machine).machineOpens++;
    if (opened !== null) {
      const row = dayRow(opened);
      row.opens++;
      row.uniqueOpens++;
    }
    if (clicked !== null) {
      const row = dayRow(clicked);
      row.clicks++;
      row.uniqueClicks++;
      const url = random.pick(links);
      const key = `${dayOf(clicked)} ${url}`;
      const link = linkDays.get(key) ?? { day: dayOf(clicked), url, clicks: 0, uniqueClicks: 0, machineClicks: 0 };
      link.clicks++;
      link.uniqueClicks++;
      linkDays.set(key, link);
    }
  }
  return { seq: 1, deliveries: rows, daily: [...daily.values()], links: [...linkDays.values()], firsts: [] };
}

/**
 * Writes `sends` of a campaign or flow as sent deliveries of `contentId` and flushes their
 * readers' engagement as the source's tracker would. Returns how many were written.
 */
export async function recordSentHistory(
  tenant: Tenant,
  d1: D1Database,
  source: { type: DeliverySource; id: string; contentId: string; links: string[] },
  sends: PastSend[],
  random: Random,
  now: number,
): Promise<number> {
  const sent: { id: string; sentAt: number; clicked: boolean }[] = [];
  for (const send of sends) {
    const [row] = await writeDeliveries(
      tenant,
      [{ contactId: send.contactId, channel: 'email', sourceType: source.type, sourceId: source.id, stepKey: send.stepKey, occurrenceKey: send.occurrenceKey, contentId: source.contentId }],
      send.sentAt,
    );
    if (row) sent.push({ id: row.id, sentAt: send.sentAt + 20_000, clicked: send.clicked ?? false });
  }
  for (const send of sent) {
    await tenant.db
      .update(deliveries)
      .set({ status: 'sent', sentAt: send.sentAt, attempts: 1, updatedAt: send.sentAt })
      .where(tenant.where(deliveries, eq(deliveries.id, send.id)));
  }
  const flush = engagementOf(random, sent, source.links);
  await writeEngagementFlush(d1, { name: `demo:${source.type}:${source.id}`, workspaceId: tenant.workspaceId, sourceType: source.type, sourceId: source.id }, flush, now);
  return sent.length;
}

/** Marks a campaign sent at `sentAt` to `recipients` (its deliveries written by recordSentHistory). */
export async function markCampaignSent(tenant: Tenant, campaignId: string, sentAt: number, recipients: number): Promise<void> {
  await tenant.db
    .update(campaigns)
    .set({ status: 'sent', startedAt: sentAt, finishedAt: sentAt + 15 * MINUTE, fanOutDone: true, recipients, updatedAt: sentAt + 15 * MINUTE })
    .where(tenant.where(campaigns, eq(campaigns.id, campaignId), inArray(campaigns.status, ['draft'])));
}

/** When an order placed at `placedAt` followed a send at `sentAt` closely enough to be credited to a click. */
export function followedSend(sentAt: number, placedAt: number): boolean {
  return placedAt > sentAt + 2 * HOUR && placedAt < sentAt + 4 * DAY;
}
