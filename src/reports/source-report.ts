// The report of one campaign or flow (a "source" of deliveries): who it reached, who
// opened, clicked, unsubscribed and bought, how opens and clicks came in over the first
// 48 hours, and which links were clicked. Every figure is read from counts the database
// keeps with its triggers in the same statements that write the deliveries and their
// engagements (flushed by the trackers), from the daily rollups and from order_attributions,
// so a report always equals its raw events and costs a few rows however large the send.
import { desc, eq, sql } from 'drizzle-orm';
import { campaignFirstHours, type DeliverySource, type DeliveryStatus, engagementCounts, engagementDaily, linkClicksDaily } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { readDeliveryCounts } from '../deliveries/delivery-counts';
import { type ConversionFigures, readConversionFigures } from '../tracking/conversion-figures';

/** Hours after the send start that the report's chart covers: the hours migration 0036's triggers keep. */
export const REPORT_CHART_HOURS = 48;
/** Most links listed in a report (the most clicked first). */
export const REPORT_LINK_LIMIT = 50;

/** How many deliveries ended one way, and with which recorded reason. */
export type ReasonCount = { reasonCode: string | null; count: number };

/** Where a source's deliveries stand. `delivered`: accepted by the mail server or SMS provider. */
export type DeliveryFigures = {
  recipients: number;
  pending: number;
  delivered: number;
  failed: number;
  unknown: number;
  skipped: number;
  cancelled: number;
  failedByReason: ReasonCount[];
  skippedByReason: ReasonCount[];
};

/**
 * Readers' engagement: `uniqueOpens` / `uniqueClicks` / `unsubscribes` count recipients
 * (first reader open, first reader click, unsubscribe through the message's link);
 * `opens` / `clicks` count every reader's hit; machine hits (privacy proxies, link
 * scanners) are apart and in no rate. Rates are over `delivered`, null before any is.
 */
export type EngagementReport = {
  uniqueOpens: number;
  uniqueClicks: number;
  unsubscribes: number;
  opens: number;
  clicks: number;
  machineOpens: number;
  machineClicks: number;
  openRate: number | null;
  clickRate: number | null;
  unsubscribeRate: number | null;
};

/** Recipients whose first reader open and first reader click fell in each hour after the send start (index 0: the first hour). */
export type HourlyEngagement = { start: number; opens: number[]; clicks: number[] };

/** A link of the message and its clicks (readers' total and unique, scanners' apart). */
export type LinkClicks = { url: string; clicks: number; uniqueClicks: number; machineClicks: number };

/** Everything a campaign's or flow's report page and API show. */
export type SourceReport = {
  deliveries: DeliveryFigures;
  engagement: EngagementReport;
  conversions: ConversionFigures;
  // Null until the source started sending.
  hourly: HourlyEngagement | null;
  links: LinkClicks[];
};

const BUCKETS: Record<DeliveryStatus, 'pending' | 'delivered' | 'failed' | 'unknown' | 'skipped' | 'cancelled'> = {
  queued: 'pending',
  sending: 'pending',
  sent: 'delivered',
  failed: 'failed',
  unknown: 'unknown',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

/** A source's deliveries by status, with the reasons of those that failed or were skipped. */
export async function readDeliveryFigures(tenant: Tenant, sourceType: DeliverySource, sourceId: string): Promise<DeliveryFigures> {
  const figures: DeliveryFigures = { recipients: 0, pending: 0, delivered: 0, failed: 0, unknown: 0, skipped: 0, cancelled: 0, failedByReason: [], skippedByReason: [] };
  for (const { status, reasonCode, n } of await readDeliveryCounts(tenant, sourceType, [sourceId])) {
    figures.recipients += n;
    figures[BUCKETS[status]] += n;
    if (status === 'failed') figures.failedByReason.push({ reasonCode, count: n });
    if (status === 'skipped') figures.skippedByReason.push({ reasonCode, count: n });
  }
  const byCount = (a: ReasonCount, b: ReasonCount) => b.count - a.count;
  figures.failedByReason.sort(byCount);
  figures.skippedByReason.sort(byCount);
  return figures;
}

function rate(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

async function readEngagementReport(tenant: Tenant, sourceType: DeliverySource, sourceId: string, delivered: number): Promise<EngagementReport> {
  const [recipients, hits] = await Promise.all([
    tenant.db
      .select({ uniqueOpens: engagementCounts.uniqueOpens, uniqueClicks: engagementCounts.uniqueClicks, unsubscribes: engagementCounts.unsubscribes })
      .from(engagementCounts)
      .where(tenant.where(engagementCounts, eq(engagementCounts.sourceType, sourceType), eq(engagementCounts.sourceId, sourceId))),
    tenant.db
      .select({
        opens: sql<number>`coalesce(sum(${engagementDaily.opens}), 0)`,
        clicks: sql<number>`coalesce(sum(${engagementDaily.clicks}), 0)`,
        machineOpens: sql<number>`coalesce(sum(${engagementDaily.machineOpens}), 0)`,
        machineClicks: sql<number>`coalesce(sum(${engagementDaily.machineClicks}), 0)`,
      })
      .from(engagementDaily)
      .where(tenant.where(engagementDaily, eq(engagementDaily.sourceType, sourceType), eq(engagementDaily.sourceId, sourceId))),
  ]);
  const people = recipients[0] ?? { uniqueOpens: 0, uniqueClicks: 0, unsubscribes: 0 };
  const totals = hits[0] ?? { opens: 0, clicks: 0, machineOpens: 0, machineClicks: 0 };
  return {
    ...people,
    ...totals,
    openRate: rate(people.uniqueOpens, delivered),
    clickRate: rate(people.uniqueClicks, delivered),
    unsubscribeRate: rate(people.unsubscribes, delivered),
  };
}

/** A campaign's first opens and first clicks per hour over the REPORT_CHART_HOURS after `start`, its start of sending. */
export async function readHourlyEngagement(tenant: Tenant, campaignId: string, start: number): Promise<HourlyEngagement> {
  const rows = await tenant.db
    .select({ hour: campaignFirstHours.hour, opens: campaignFirstHours.opens, clicks: campaignFirstHours.clicks })
    .from(campaignFirstHours)
    .where(tenant.where(campaignFirstHours, eq(campaignFirstHours.campaignId, campaignId)));
  const opens = new Array<number>(REPORT_CHART_HOURS).fill(0);
  const clicks = new Array<number>(REPORT_CHART_HOURS).fill(0);
  for (const row of rows) {
    if (row.hour < 0 || row.hour >= REPORT_CHART_HOURS) continue;
    opens[row.hour] = row.opens;
    clicks[row.hour] = row.clicks;
  }
  return { start, opens, clicks };
}

/** The source's links by readers' unique clicks, all days together. */
export async function readLinkClicks(tenant: Tenant, sourceType: DeliverySource, sourceId: string): Promise<LinkClicks[]> {
  const uniqueClicks = sql<number>`sum(${linkClicksDaily.uniqueClicks})`;
  return tenant.db
    .select({
      url: linkClicksDaily.url,
      clicks: sql<number>`sum(${linkClicksDaily.clicks})`,
      uniqueClicks,
      machineClicks: sql<number>`sum(${linkClicksDaily.machineClicks})`,
    })
    .from(linkClicksDaily)
    .where(tenant.where(linkClicksDaily, eq(linkClicksDaily.sourceType, sourceType), eq(linkClicksDaily.sourceId, sourceId)))
    .groupBy(linkClicksDaily.url)
    .orderBy(desc(uniqueClicks), linkClicksDaily.url)
    .limit(REPORT_LINK_LIMIT);
}

/**
 * The whole report of a campaign or flow. `sendStart` is when it started sending (the
 * chart's hour 0), or null before it did. The caller checks the source is the workspace's.
 */
export async function readSourceReport(tenant: Tenant, sourceType: DeliverySource, sourceId: string, sendStart: number | null): Promise<SourceReport> {
  const deliveryFigures = await readDeliveryFigures(tenant, sourceType, sourceId);
  const [engagement, conversions, hourly, links] = await Promise.all([
    readEngagementReport(tenant, sourceType, sourceId, deliveryFigures.delivered),
    readConversionFigures(tenant, sourceType, sourceId),
    sourceType === 'campaign' && sendStart !== null ? readHourlyEngagement(tenant, sourceId, sendStart) : null,
    readLinkClicks(tenant, sourceType, sourceId),
  ]);
  return { deliveries: deliveryFigures, engagement, conversions, hourly, links };
}
