// CampaignTracker: one Durable Object per campaign or flow and shard (the shard comes from
// the token). It takes pixel and redirect hits into its own SQLite storage, so the hot
// path never writes D1, and flushes them to D1 by alarm: FLUSH_DELAY_MS after the first
// unflushed hit, again while some remain, and RETRY_MS after a failed flush.
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';
import {
  commitEngagementFlush,
  type EngagementCounts,
  type EngagementHit,
  ensureEngagementSchema,
  oldestPendingAt,
  planEngagementFlush,
  readEngagementCounts,
  readTrackerMeta,
  recordEngagement,
  writeTrackerMeta,
} from './engagement-store';
import { type TrackerIdentity, writeEngagementFlush } from './flush-engagement';
import { SCANNER_BURST_MS } from './machine-engagement';

const FLUSH_DELAY_MS = 10_000;
const RETRY_MS = 30_000;
// Hits are flushed once older than a scanner's burst, so a burst is classified whole first.
const SETTLE_MS = SCANNER_BURST_MS;
// Events per flush: the D1 batch holds a few statements whatever the size, with JSON bound as one value.
const MAX_EVENTS_PER_FLUSH = 2_000;

export class CampaignTracker extends DurableObject<Env> {
  private alarmAt: number | null = null;
  private identityKnown = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ensureEngagementSchema(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => {
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /** Counts opens and clicks of deliveries of this tracker's campaign or flow, in the order they came. */
  async record(tracker: TrackerIdentity, hits: EngagementHit[]): Promise<void> {
    const sql = this.ctx.storage.sql;
    // Written once; remembered so later hits skip the read (this runs for every pixel load).
    if (!this.identityKnown) {
      if (readTrackerMeta(sql, 'identity') === null) writeTrackerMeta(sql, 'identity', JSON.stringify(tracker));
      this.identityKnown = true;
    }
    this.ctx.storage.transactionSync(() => {
      for (const hit of hits) recordEngagement(sql, hit);
    });
    if (this.alarmAt === null) await this.scheduleFlush(Date.now() + FLUSH_DELAY_MS);
  }

  /** Opens and clicks counted by this object (flushed, plus `pending`). */
  counts(): EngagementCounts {
    return readEngagementCounts(this.ctx.storage.sql);
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    try {
      await this.flush(now);
    } catch (err) {
      // The flush in flight stays recorded; the next alarm sends exactly the same one again.
      console.error('CampaignTracker flush failed; retrying', err);
      await this.scheduleFlush(now + RETRY_MS);
      return;
    }
    const oldest = oldestPendingAt(this.ctx.storage.sql);
    if (oldest !== null) await this.scheduleFlush(Math.max(now + 1_000, oldest + SETTLE_MS));
  }

  private async flush(now: number): Promise<void> {
    const sql = this.ctx.storage.sql;
    const identity = readTrackerMeta(sql, 'identity');
    if (identity === null) return;
    const flush = this.ctx.storage.transactionSync(() => planEngagementFlush(sql, now, SETTLE_MS, MAX_EVENTS_PER_FLUSH));
    if (!flush) return;
    await writeEngagementFlush(this.env.DB, JSON.parse(identity) as TrackerIdentity, flush, now);
    this.ctx.storage.transactionSync(() => commitEngagementFlush(sql, flush));
  }

  private async scheduleFlush(at: number): Promise<void> {
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }
}
