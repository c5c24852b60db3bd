// The `store-event` job: apply a recorded webhook's events, then mark it processed.
import { eq } from 'drizzle-orm';
import { openDb } from '../db/client';
import { storeConnections } from '../db/schema';
import { forWorkspace } from '../db/tenant';
import type { Env } from '../env';
import type { StoreEventMessage } from '../jobs/queue-messages';
import { applyStoreEvent } from './apply-store-events';
import { loadQueuedEvent, markEventProcessed } from './inbound-events';
import type { z } from 'zod';

/** Applies one inbound event; a redelivered message finds it processed and does nothing. */
export async function runStoreEventJob(message: z.infer<typeof StoreEventMessage>, env: Env): Promise<void> {
  const tenant = forWorkspace(openDb(env.DB), message.workspaceId);
  const queued = await loadQueuedEvent(tenant, message.eventId);
  if (!queued) return;
  const [connection] = await tenant.db
    .select({ platform: storeConnections.platform, currency: storeConnections.currency })
    .from(storeConnections)
    .where(tenant.where(storeConnections, eq(storeConnections.id, queued.connectionId)))
    .limit(1);
  // The connection was deleted after the webhook arrived: its data is no longer wanted.
  if (!connection) return;
  const now = Date.now();
  for (const event of queued.events) await applyStoreEvent(tenant, event, connection, now);
  await tenant.db.batch([
    markEventProcessed(tenant, message.eventId, now),
    tenant.db.update(storeConnections).set({ lastEventAt: now }).where(tenant.where(storeConnections, eq(storeConnections.id, queued.connectionId))),
  ]);
}
