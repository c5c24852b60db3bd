// The platform sender's caps: each workspace may send so many emails through it per UTC
// hour and per UTC day (platform vars), so no one workspace can spend the reputation
// every workspace shares. Each send takes its place with one conditional upsert, so
// however many consumers send at once, the count never passes the cap.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { platformSenderCounts } from '../db/schema';
import type { Tenant } from '../db/tenant';
import type { Env } from '../env';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The caps, per workspace. */
export type PlatformSenderLimits = { hourly: number; daily: number };

const Limit = z.coerce.number().int().positive();

/** The caps from the platform vars; a missing or malformed one is a deployment error. */
export function platformSenderLimits(env: Pick<Env, 'PLATFORM_SENDER_HOURLY_LIMIT' | 'PLATFORM_SENDER_DAILY_LIMIT'>): PlatformSenderLimits {
  const hourly = Limit.safeParse(env.PLATFORM_SENDER_HOURLY_LIMIT);
  const daily = Limit.safeParse(env.PLATFORM_SENDER_DAILY_LIMIT);
  if (!hourly.success || !daily.success) throw new Error('PLATFORM_SENDER_HOURLY_LIMIT and PLATFORM_SENDER_DAILY_LIMIT must be positive whole numbers');
  return { hourly: hourly.data, daily: daily.data };
}

/** The UTC hour and day `now` falls in, as their first millisecond. */
function windowsAt(now: number): { hourStart: number; dayStart: number } {
  return { hourStart: Math.floor(now / HOUR) * HOUR, dayStart: Math.floor(now / DAY) * DAY };
}

/** Which cap a workspace reached, and when its window ends. */
export type PlatformCapReached = { window: 'hour' | 'day'; limit: number; until: number };

/**
 * Takes one send's place in the workspace's hourly and daily counts, or says which cap
 * is reached. One statement: the row is created, moved to the current windows, or bumped
 * only while both counts are under their caps (SQLite reads the old row in SET and WHERE),
 * so parallel sends can never take more places than the caps hold.
 */
export async function takePlatformSendPlace(tenant: Tenant, limits: PlatformSenderLimits, now = Date.now()): Promise<PlatformCapReached | null> {
  const { hourStart, dayStart } = windowsAt(now);
  const c = platformSenderCounts;
  const taken = await tenant.db
    .insert(c)
    .values(tenant.row({ hourStart, hourCount: 1, dayStart, dayCount: 1 }))
    .onConflictDoUpdate({
      target: c.workspaceId,
      set: {
        hourCount: sql`CASE WHEN ${c.hourStart} = ${hourStart} THEN ${c.hourCount} + 1 ELSE 1 END`,
        hourStart,
        dayCount: sql`CASE WHEN ${c.dayStart} = ${dayStart} THEN ${c.dayCount} + 1 ELSE 1 END`,
        dayStart,
      },
      setWhere: sql`(${c.hourStart} <> ${hourStart} OR ${c.hourCount} < ${limits.hourly}) AND (${c.dayStart} <> ${dayStart} OR ${c.dayCount} < ${limits.daily})`,
    })
    .returning({ hourCount: c.hourCount });
  if (taken.length) return null;
  const usage = await getPlatformSenderUsage(tenant, limits, now);
  return usage.capReached ?? { window: 'hour', limit: limits.hourly, until: hourStart + HOUR };
}

/** A workspace's use of the platform sender in the current windows, for pages. */
export type PlatformSenderUsage = {
  limits: PlatformSenderLimits;
  sentThisHour: number;
  sentToday: number;
  // The cap reached now (the day's first: it lasts longer), or null while under both.
  capReached: PlatformCapReached | null;
};

/** How much of the caps the workspace used in the current hour and day. */
export async function getPlatformSenderUsage(tenant: Tenant, limits: PlatformSenderLimits, now = Date.now()): Promise<PlatformSenderUsage> {
  const { hourStart, dayStart } = windowsAt(now);
  const [row] = await tenant.db.select().from(platformSenderCounts).where(tenant.where(platformSenderCounts)).limit(1);
  const sentThisHour = row?.hourStart === hourStart ? row.hourCount : 0;
  const sentToday = row?.dayStart === dayStart ? row.dayCount : 0;
  const capReached: PlatformCapReached | null =
    sentToday >= limits.daily
      ? { window: 'day', limit: limits.daily, until: dayStart + DAY }
      : sentThisHour >= limits.hourly
        ? { window: 'hour', limit: limits.hourly, until: hourStart + HOUR }
        : null;
  return { limits, sentThisHour, sentToday, capReached };
}

/** The sentence for a delivery waiting on a cap, and for the campaign's notice. */
export function describePlatformCap(cap: PlatformCapReached): string {
  const until = new Date(cap.until).toISOString().replace('T', ' ').slice(0, 16);
  const per = cap.window === 'hour' ? 'an hour' : 'a day';
  return `Waiting: the platform sender's limit of ${cap.limit} emails ${per} per workspace is reached; sending continues after ${until} UTC. Add your own SMTP server in Settings → Email sender to send more.`;
}
