// From a checked token to its CampaignTracker: which object counts the hit, and whether
// a machine made it (machine-engagement.ts).
import type { Env } from '../env';
import type { TrackerIdentity } from './flush-engagement';
import { isClickAtDelivery, isMachineOpen, type RequestOrigin } from './machine-engagement';
import type { TrackingHit } from './tracking-tokens';

/** The tracker of a hit's campaign or flow and shard. */
export function trackerOf(hit: TrackingHit): TrackerIdentity {
  // The workspace is part of the name: two workspaces' sources never share an object.
  return { name: `${hit.workspaceId}:${hit.sourceType}:${hit.sourceId}:${hit.shard}`, workspaceId: hit.workspaceId, sourceType: hit.sourceType, sourceId: hit.sourceId };
}

/** Hands one open or click to its tracker. */
export async function recordTrackingHit(env: Env, hit: TrackingHit, origin: RequestOrigin, at: number): Promise<void> {
  const tracker = trackerOf(hit);
  const stub = env.CAMPAIGN_TRACKER.get(env.CAMPAIGN_TRACKER.idFromName(tracker.name));
  if (hit.link === undefined) {
    await stub.record(tracker, { kind: 'open', deliveryId: hit.id, at, machine: isMachineOpen(origin, hit.sentAt, at) });
  } else {
    await stub.record(tracker, { kind: 'click', deliveryId: hit.id, link: hit.link, at, machine: isClickAtDelivery(hit.sentAt, at) });
  }
}
