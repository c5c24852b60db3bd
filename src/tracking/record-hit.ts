// From a checked token to its CampaignTracker: which object counts the hit, and whether
// a machine made it (machine-engagement.ts). Hits that reach one isolate together go to
// their tracker in one call: while a large send is being read, a call per pixel load costs
// more than the hit itself.
import type { Env } from '../env';
import type { EngagementHit } from './engagement-store';
import type { TrackerIdentity } from './flush-engagement';
import { isClickAtDelivery, isMachineOpen, type RequestOrigin } from './machine-engagement';
import type { TrackingHit } from './tracking-tokens';

// Bounds one call's size; a batch that fills up is sent at once and the next one starts.
const MAX_HITS_PER_CALL = 200;

type Batch = { tracker: TrackerIdentity; hits: EngagementHit[]; sent: Promise<void> };
// Per isolate, by tracker name: the batch still taking hits (sent on the next turn of the event loop).
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
  // One turn of the event loop lets the requests already in flight join this call.
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (open.get(batch.tracker.name) === batch) open.delete(batch.tracker.name);
  const stub = env.CAMPAIGN_TRACKER.get(env.CAMPAIGN_TRACKER.idFromName(batch.tracker.name));
  await stub.record(batch.tracker, batch.hits);
}

/**
 * Hands one open or click to its tracker; resolves once the tracker has stored it (the
 * caller keeps its request alive with waitUntil until then). A failed call fails every
 * hit of its batch, as a failed call per hit would have failed each.
 */
export function recordTrackingHit(env: Env, hit: TrackingHit, origin: RequestOrigin, at: number): Promise<void> {
  const tracker = trackerOf(hit);
  let batch = open.get(tracker.name);
  if (!batch) {
    const created: Batch = { tracker, hits: [], sent: Promise.resolve() };
    created.sent = send(env, created);
    open.set(tracker.name, created);
    batch = created;
  }
  batch.hits.push(engagementOf(hit, origin, at));
  if (batch.hits.length >= MAX_HITS_PER_CALL) open.delete(tracker.name);
  return batch.sent;
}
