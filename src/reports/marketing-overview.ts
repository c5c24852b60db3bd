// The marketing overview of a workspace: over a range of days, every campaign's and
// flow's messages sent, the share of them a reader opened and clicked, and the revenue
// credited to them; and the weekly activity (sent, first opens, first clicks) a chart
// shows. Weeks start on Monday, 00:00 UTC; days are UTC days. Messages are read from
// their daily rollup (delivery_daily), so a page costs the days of its range, not every
// message a large workspace sent in them.
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import { CONSENT_CHANNELS, type ConsentChannel, type DeliverySource, deliveryDaily, engagementDaily } from '../db/schema';
import type { Tenant } from '../db/tenant';
import { DAY } from '../lib/time';
import { type ConversionFigures, readConversionsByChannel, readWorkspaceConversions } from '../tracking/conversion-figures';
import type { DayRange } from './reports.schemas';

const WEEK = 7 * DAY;
// 1 January 1970 was a Thursday: the first Monday after it, from which weeks are counted.
const FIRST_MONDAY = 4 * DAY;

/**
 * Messages sent in the range, and of those the ones a reader opened and clicked (at any
 * time since); rates over `sent`, null when nothing was sent. Revenue: orders placed in
 * the range credited to any message.
 */
export type OverviewFigures = {
  sent: number;
  opened: number;
  clicked: number;
  openRate: number | null;
  clickRate: number | null;
  conversions: ConversionFigures;
};

/**
 * One channel's messages of the range: sent (accepted by the SMTP server or by Twilio) on
 * a day of it, delivered (for texts, Twilio's status callback said so; for email, sent),
 * failed (a text the carrier did not deliver included) among those queued in it, clicked
 * among those sent, and the orders credited.
 */
export type ChannelFigures = { channel: ConsentChannel; sent: number; delivered: number; failed: number; clicked: number; conversions: ConversionFigures };

/** The rollup's days of `range` (whole UTC days). */
function daysOf(range: DayRange) {
  return [gte(deliveryDaily.day, range.from), lt(deliveryDaily.day, range.to)];
}

/** Email and SMS side by side, for the messages of `range`. */
export async function readChannelFigures(tenant: Tenant, range: DayRange): Promise<ChannelFigures[]> {
  const [rows, credited] = await Promise.all([
    tenant.db
      .select({
        channel: deliveryDaily.channel,
        sent: sql<number>`coalesce(sum(${deliveryDaily.sent}), 0)`,
        delivered: sql<number>`coalesce(sum(${deliveryDaily.delivered}), 0)`,
        failed: sql<number>`coalesce(sum(${deliveryDaily.failed}), 0)`,
        clicked: sql<number>`coalesce(sum(${deliveryDaily.clicked}), 0)`,
      })
      .from(deliveryDaily)
      .where(tenant.where(deliveryDaily, ...daysOf(range)))
      .groupBy(deliveryDaily.channel),
    readConversionsByChannel(tenant, range),
  ]);
  return CONSENT_CHANNELS.map((channel) => {
    const row = rows.find((candidate) => candidate.channel === channel);
    return {
      channel,
      sent: row?.sent ?? 0,
      delivered: row?.delivered ?? 0,
      failed: row?.failed ?? 0,
      clicked: row?.clicked ?? 0,
      conversions: credited.get(channel) ?? { conversions: 0, revenue: [] },
    };
  });
}

/** One week (starting Monday 00:00 UTC): messages sent, and readers' first opens and clicks that happened in it. */
export type WeekActivity = { weekStart: number; sent: number; opens: number; clicks: number };

/** The Monday 00:00 UTC starting the week of `at`. */
export function weekStartOf(at: number): number {
  return at - ((((at - FIRST_MONDAY) % WEEK) + WEEK) % WEEK);
}

/** The last `count` weeks, the current one included (to the end of today, UTC). */
export function recentWeeks(now: number, count: number): DayRange {
  return { from: weekStartOf(now) - (count - 1) * WEEK, to: now - (now % DAY) + DAY };
}

/** The workspace's figures for messages sent in `range`. */
export async function readOverviewFigures(tenant: Tenant, range: DayRange): Promise<OverviewFigures> {
  const [cohort, conversions] = await Promise.all([
    tenant.db
      .select({
        sent: sql<number>`coalesce(sum(${deliveryDaily.sent}), 0)`,
        opened: sql<number>`coalesce(sum(${deliveryDaily.opened}), 0)`,
        clicked: sql<number>`coalesce(sum(${deliveryDaily.clicked}), 0)`,
      })
      .from(deliveryDaily)
      .where(tenant.where(deliveryDaily, ...daysOf(range))),
    readWorkspaceConversions(tenant, range),
  ]);
  const { sent, opened, clicked } = cohort[0] ?? { sent: 0, opened: 0, clicked: 0 };
  return { sent, opened, clicked, openRate: sent ? opened / sent : null, clickRate: sent ? clicked / sent : null, conversions };
}

/**
 * Each week touching `range` (at most 54 for the longest range a query takes), oldest
 * first, with its activity inside the range: the workspace's, or one campaign's or flow's.
 */
export async function readWeeklyActivity(tenant: Tenant, range: DayRange, source?: { type: DeliverySource; id: string }): Promise<WeekActivity[]> {
  const weekOf = (column: typeof deliveryDaily.day | typeof engagementDaily.day) => sql<number>`(${column} - ((((${column} - ${FIRST_MONDAY}) % ${WEEK}) + ${WEEK}) % ${WEEK}))`;
  const sentWeek = weekOf(deliveryDaily.day);
  const dayWeek = weekOf(engagementDaily.day);
  const [sent, engaged] = await Promise.all([
    tenant.db
      .select({ week: sentWeek, n: sql<number>`sum(${deliveryDaily.sent})` })
      .from(deliveryDaily)
      .where(tenant.where(deliveryDaily, ...daysOf(range), source ? and(eq(deliveryDaily.sourceType, source.type), eq(deliveryDaily.sourceId, source.id)) : undefined))
      .groupBy(sentWeek),
    tenant.db
      .select({ week: dayWeek, opens: sql<number>`sum(${engagementDaily.uniqueOpens})`, clicks: sql<number>`sum(${engagementDaily.uniqueClicks})` })
      .from(engagementDaily)
      .where(
        tenant.where(
          engagementDaily,
          gte(engagementDaily.day, range.from),
          lt(engagementDaily.day, range.to),
          source ? and(eq(engagementDaily.sourceType, source.type), eq(engagementDaily.sourceId, source.id)) : undefined,
        ),
      )
      .groupBy(dayWeek),
  ]);
  const weeks = new Map<number, WeekActivity>();
  for (let weekStart = weekStartOf(range.from); weekStart < range.to; weekStart += WEEK) weeks.set(weekStart, { weekStart, sent: 0, opens: 0, clicks: 0 });
  for (const row of sent) {
    const week = weeks.get(row.week);
    if (week) week.sent = row.n;
  }
  for (const row of engaged) {
    const week = weeks.get(row.week);
    if (week) Object.assign(week, { opens: row.opens, clicks: row.clicks });
  }
  return [...weeks.values()];
}
