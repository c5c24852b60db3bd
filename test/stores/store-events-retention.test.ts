// Finished webhook records are kept 30 days (long past any store's redeliveries), then
// the cron deletes them a bounded page per tick; queued ones are never deleted.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client';
import { DAY } from '../../src/lib/time';
import { INBOUND_EVENT_RETENTION, purgeOldInboundEvents } from '../../src/stores/inbound-events';
import { signUpMerchant } from '../helpers/factories';
import { connectStore } from '../helpers/store-webhooks';

async function record(workspaceId: string, connectionId: string, dedupeKey: string, status: string, receivedAt: number) {
  await env.DB.prepare('INSERT INTO inbound_events (id, workspace_id, connection_id, topic, dedupe_key, status, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .bind(`ev-${connectionId}-${dedupeKey}`, workspaceId, connectionId, 'orders/paid', dedupeKey, status, receivedAt)
    .run();
}

async function keys(connectionId: string): Promise<string[]> {
  const { results } = await env.DB.prepare('SELECT dedupe_key FROM inbound_events WHERE connection_id = ? ORDER BY dedupe_key').bind(connectionId).all<{ dedupe_key: string }>();
  return results.map((row) => row.dedupe_key);
}

describe('purging old store events', () => {
  it('deletes finished records past the retention, keeps recent and queued ones, in every workspace', async () => {
    const now = Date.now() + 400 * DAY; // later than any record other tests wrote
    const old = now - INBOUND_EVENT_RETENTION - 1;
    const stores = await Promise.all(['Retention A', 'Retention B'].map(async (name) => connectStore((await signUpMerchant(name)).workspaceId, 'shopify')));
    for (const store of stores) {
      for (const status of ['processed', 'ignored', 'test', 'rejected']) await record(store.workspaceId, store.id, `old-${status}`, status, old);
      await record(store.workspaceId, store.id, 'old-queued', 'queued', old);
      await record(store.workspaceId, store.id, 'recent-processed', 'processed', now - INBOUND_EVENT_RETENTION + DAY);
    }
    const deleted = await purgeOldInboundEvents(openDb(env.DB), now);
    expect(deleted).toBeGreaterThanOrEqual(8);
    for (const store of stores) expect(await keys(store.id)).toEqual(['old-queued', 'recent-processed']);
    expect(await purgeOldInboundEvents(openDb(env.DB), now)).toBe(0);
  });
});
