// CampaignTracker: one Durable Object per campaign or flow (sharded for large
// sends). It answers pixel and redirect hits from its own SQLite storage, so
// the hot path never writes D1.
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';
import { ensureEngagementSchema, readEngagementCounts, recordEngagement, type EngagementCounts, type EngagementKind } from './engagement-store';

export class CampaignTracker extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ensureEngagementSchema(ctx.storage.sql);
  }

  /** Counts one open or click of a delivery. */
  record(kind: EngagementKind, deliveryId: string, at: number): { unique: boolean } {
    return recordEngagement(this.ctx.storage.sql, kind, deliveryId, at);
  }

  /** Opens and clicks counted by this object. */
  counts(): EngagementCounts {
    return readEngagementCounts(this.ctx.storage.sql);
  }
}
