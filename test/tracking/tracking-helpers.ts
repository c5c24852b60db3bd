// Tracking tests: tokens for real deliveries, hits through the Worker's HTTP, and running trackers' flushes.
import { createExecutionContext, runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import worker from '../../src/index';
import type { EngagementCounts } from '../../src/tracking/engagement-store';
import { SCANNER_BURST_MS } from '../../src/tracking/machine-engagement';
import { trackerOf } from '../../src/tracking/record-hit';
import { TRACKER_SHARDS, type TrackedDelivery } from '../../src/tracking/tracking-tokens';

export const BASE = 'https://marketing.example.com';

/**
 * A request to the Worker's fetch entry with its own execution context, as the runtime
 * makes one; its waitUntil work goes on after the response. (Called directly rather than
 * through the loopback service, which stalls past a few hundred requests in flight.)
 */
export async function hit(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return worker.fetch(new Request(`${BASE}${path}`, { headers, redirect: 'manual' }), env, createExecutionContext());
}

/** The trackers (one per shard) of a campaign or flow. */
export function trackersOf(source: Omit<TrackedDelivery, 'id'>) {
  return Array.from({ length: TRACKER_SHARDS }, (_, shard) => env.CAMPAIGN_TRACKER.get(env.CAMPAIGN_TRACKER.idFromName(trackerOf({ ...source, id: '', shard, sentAt: 0 }).name)));
}

const ZERO: EngagementCounts = { opens: 0, uniqueOpens: 0, machineOpens: 0, clicks: 0, uniqueClicks: 0, machineClicks: 0, pending: 0 };

/** The counts of every shard of a campaign or flow, added up. */
export async function countsOf(source: Omit<TrackedDelivery, 'id'>): Promise<EngagementCounts> {
  const all = await Promise.all(trackersOf(source).map((tracker) => tracker.counts()));
  return all.reduce((sum, counts) => Object.fromEntries(Object.entries(sum).map(([key, value]) => [key, value + counts[key as keyof EngagementCounts]])) as EngagementCounts, ZERO);
}

/**
 * Waits until the trackers have taken `opens` opens (every hit is one; a click is also an
 * open), flushed or not: hits are recorded after the response, and a flush alarm may run first.
 */
export async function waitForOpens(source: Omit<TrackedDelivery, 'id'>, opens: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const counts = await countsOf(source);
        return counts.pending + counts.opens + counts.machineOpens;
      },
      { timeout: 15_000 },
    )
    .toBe(opens);
}

/** Lets the hits settle (a scanner burst is classified whole), then runs every shard's flush alarm. */
export async function flushTrackers(source: Omit<TrackedDelivery, 'id'>): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, SCANNER_BURST_MS + 100));
  for (const tracker of trackersOf(source)) await runDurableObjectAlarm(tracker);
}

/** The figures of a campaign or flow in D1, summed over days. */
export function dailyFiguresOf(source: Omit<TrackedDelivery, 'id'>) {
  return env.DB.prepare(
    `SELECT COALESCE(SUM(opens), 0) AS opens, COALESCE(SUM(unique_opens), 0) AS uniqueOpens, COALESCE(SUM(machine_opens), 0) AS machineOpens,
            COALESCE(SUM(clicks), 0) AS clicks, COALESCE(SUM(unique_clicks), 0) AS uniqueClicks, COALESCE(SUM(machine_clicks), 0) AS machineClicks
     FROM engagement_daily WHERE workspace_id = ? AND source_type = ? AND source_id = ?`,
  )
    .bind(source.workspaceId, source.sourceType, source.sourceId)
    .first<{ opens: number; uniqueOpens: number; machineOpens: number; clicks: number; uniqueClicks: number; machineClicks: number }>();
}
