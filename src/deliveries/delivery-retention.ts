// Keeping deliveries bounded. A delivery is about 800 bytes with its indexes, and a
// weekly campaign writes one per subscriber, so a campaign's message-level rows are
// compacted once it finished more than the retention window ago: its deliveries, their
// engagements and short links go; an archive row per delivery keeps its unsubscribe link
// working. Its figures stay as they were: the counts the database keeps (delivery_counts,
// engagement_counts, campaign_first_hours, the daily rollups) are not counted down by a
// compaction, and deliveries credited with an order are kept whole, so revenue never
// changes. Flows' deliveries are not compacted: a flow step may still ask about a message
// sent up to a year before (a split after a long wait), and they are a small share.
import { z } from 'zod';
import type { Db } from '../db/client';
import type { DeliveryStatus } from '../db/schema';
import { compactCampaignDeliveries, type CompactionPosition, listCampaignsToCompact, readCompactionPage } from '../db/system';
import type { Env } from '../env';
import { DAY } from '../lib/time';

/** Days a finished campaign keeps its deliveries when DELIVERY_RETENTION_DAYS is unset. */
export const DEFAULT_RETENTION_DAYS = 180;
// The attribution windows and a campaign's late opens need far less; a shorter window would only lose the recipient lists sooner.
const MIN_RETENTION_DAYS = 30;

// A D1 batch compacts this many deliveries; a tick does at most PAGES_PER_TICK batches, so a
// million-recipient campaign is compacted over about a hundred ticks without a long one.
const PAGE_SIZE = 500;
const PAGES_PER_TICK = 20;
const CAMPAIGNS_PER_TICK = 5;

// The statuses a finished campaign's deliveries end in, walked in this order.
const FINAL_STATUSES: DeliveryStatus[] = ['sent', 'failed', 'skipped', 'cancelled', 'unknown'];

const RetentionDays = z.coerce.number().int().min(MIN_RETENTION_DAYS).max(3650);

/** The retention window in days from the platform var; a malformed one is a deployment error. */
export function retentionDays(env: Pick<Env, 'DELIVERY_RETENTION_DAYS'>): number {
  if (env.DELIVERY_RETENTION_DAYS === undefined || env.DELIVERY_RETENTION_DAYS === '') return DEFAULT_RETENTION_DAYS;
  const parsed = RetentionDays.safeParse(env.DELIVERY_RETENTION_DAYS);
  if (!parsed.success) throw new Error(`DELIVERY_RETENTION_DAYS must be a whole number of days from ${MIN_RETENTION_DAYS} to 3650`);
  return parsed.data;
}

function readCursor(cursor: string | null): CompactionPosition {
  const [status, rowid] = (cursor ?? '').split(':');
  const found = FINAL_STATUSES.find((candidate) => candidate === status);
  return found ? { status: found, afterRowid: Number(rowid) || 0 } : { status: FINAL_STATUSES[0]!, afterRowid: 0 };
}

/** Where the walk goes after a page that ended at `lastRowid` (null: its status is done); null when the campaign is done. */
function nextPosition(position: CompactionPosition, lastRowid: number | null): CompactionPosition | null {
  if (lastRowid !== null) return { status: position.status, afterRowid: lastRowid };
  const following = FINAL_STATUSES[FINAL_STATUSES.indexOf(position.status) + 1];
  return following ? { status: following, afterRowid: 0 } : null;
}

const writeCursor = (position: CompactionPosition | null) => (position ? `${position.status}:${position.afterRowid}` : null);

/** Cron task: compacts the deliveries of campaigns past the retention window, a bounded number per tick; returns how many went. */
export async function compactFinishedCampaigns(db: Db, env: Pick<Env, 'DELIVERY_RETENTION_DAYS'>, now: number, { pageSize = PAGE_SIZE, pagesPerTick = PAGES_PER_TICK } = {}): Promise<number> {
  const finishedBefore = now - retentionDays(env) * DAY;
  let pages = pagesPerTick;
  let deleted = 0;
  for (const campaign of await listCampaignsToCompact(db, finishedBefore, CAMPAIGNS_PER_TICK)) {
    let position: CompactionPosition | null = readCursor(campaign.cursor);
    while (position && pages > 0) {
      pages -= 1;
      const page = await readCompactionPage(db, campaign, position, pageSize);
      // A short page ends its status.
      position = nextPosition(position, page.length === pageSize ? page[page.length - 1]!.rowid : null);
      deleted += await compactCampaignDeliveries(
        db,
        campaign,
        page.map((row) => row.id),
        writeCursor(position),
        now,
      );
    }
    if (pages === 0) break;
  }
  return deleted;
}
