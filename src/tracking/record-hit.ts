// From a checked token to its CampaignTracker: which object counts the hit, and whether
// a machine made it (machine-engagement.ts). Hits that reach one isolate together go to
// their tracker in one call: while a large send is being read, a call per pixel load costs
// more than the hit itself.
import type { Env } from '../env';
import type { EngagementHit } from './engagement-store';
import type { TrackerIdentity } from './flush-engagement';
import { isClickAtDelivery, isMachineOpen, type RequestOrigin } from './machine-engagement';
import type { TrackingHit } from './tracking-tokens';

// Bounds one call's size; a batch that fills up takes no more hits and the next one starts.
const MAX_HITS_PER_CALL = 200;
// How long a batch takes hits before its call. Requests reach an isolate one event-loop
// turn apart, so waiting only a turn joined 1.2-1.4 hits per call in the local tracking
// bench at 32 connections; 50 ms joined about 4.6, a third as many calls. Locally the
// requests/s did not move beyond the run-to-run noise, but each call is a billed Durable
// Object request and a turn of the tracker's one thread. The response never waits on it:
// only the opener's waitUntil does, and the tracker flushes to D1 every 10 s anyway.
const BATCH_WINDOW_MS = 50;

type Batch = { tracker: TrackerIdentity; hits: EngagementHit[] };
// Per isolate, by tracker name: the batch still taking hits (sent BATCH_WINDOW_MS after its first).
const open = new Map<string, Batch>();

/** The tracker of a hit's campaign or flow and shard. */
export function trackerOf(hit: TrackingHit): TrackerIdentity {
  // The workspace is part of the name: two workspaces' sources never share an object.
  return { name: `${hit.workspaceId}:${hit.sourceType}:${hit.sourceId}:${hit.shard}`, workspaceId: hit.workspaceId, sourceType: hit.sourceType, sourceId: hit.sourceId };
}

function engagementOf(hit: TrackingHit, origin: RequestOrigin, at: number): EngagementHit {
  if (hit.link === undefined) return { kind: 'open', deliveryId: hit.id, at, machine: isMachineOpen(origin, hit.sentAt, at) };
  return { kind: 'click', deliveryId: hit.id, link: hit.link, at, machine: isClickAtDelivery(hit.sentAt, at) };
}

async function send(env: Env, batch: Batch): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, BATCH_WINDOW_MS));
  if (open.get(batch.tracker.name) === batch) open.delete(batch.tracker.name);
  const stub = env.CAMPAIGN_TRACKER.get(env.CAMPAIGN_TRACKER.idFromName(batch.tracker.name));
  await stub.record(batch.tracker, batch.hits);
}

/**
 * Hands one open or click to its tracker. The request that opens a batch stays alive
 * (waitUntil) until the tracker has stored it; the requests that join it do not wait. A
 * promise of one request awaited by another is "resolved from a different request
 * context": workerd cancels the waiting request as hung and logs it (7,637 times in one
 * local tracking bench), while the opener's call stores the hits either way. A failed
 * call fails every hit of its batch, as a failed call per hit would have failed each.
 */
export function recordTrackingHit(env: Env, ctx: Pick<ExecutionContext, 'waitUntil'>, hit: TrackingHit, origin: RequestOrigin, at: number): void {
  const tracker = trackerOf(hit);
  const joined = open.get(tracker.name);
  const batch = joined ?? { tracker, hits: [] };
  if (!joined) open.set(tracker.name, batch);
  batch.hits.push(engagementOf(hit, origin, at));
  if (batch.hits.length >= MAX_HITS_PER_CALL) open.delete(tracker.name);
  if (!joined) ctx.waitUntil(send(env, batch));
}
