// The `store-event` job: claim the webhook's dedupe key, apply its events, mark it processed.
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import { openDb } from '../db/client';
import { storeConnections } from '../db/schema';
import { forWorkspace } from '../db/tenant';
import type { Env } from '../env';
import type { StoreEventMessage } from '../jobs/queue-messages';
import { applyStoreEvent } from './apply-store-events';
import { claimInboundEvent, claimStoredEvent, markEventProcessed } from './inbound-events';

/** Applies one webhook once; a redelivery (same dedupe key) only counts itself. */
export async function runStoreEventJob(message: z.infer<typeof StoreEventMessage>, env: Env): Promise<void> {
  const tenant = forWorkspace(openDb(env.DB), message.workspaceId);
  const [connection] = await tenant.db
    .select({ platform: storeConnections.platform, currency: storeConnections.currency })
    .from(storeConnections)
    .where(tenant.where(storeConnections, eq(storeConnections.id, message.connectionId)))
    .limit(1);
  // The connection was deleted after the webhook arrived: its data is no longer wanted.
  if (!connection) return;
  const claim = message.storedEventId ? await claimStoredEvent(tenant, message.storedEventId) : { ...(await claimInboundEvent(tenant, message)), events: message.events ?? [] };
  if (!claim.apply) return;
  const events = claim.events;
  const now = Date.now();
  for (const event of events) await applyStoreEvent(tenant, event, connection, now);
  await tenant.db.batch([
    markEventProcessed(tenant, claim.id, now),
    tenant.db.update(storeConnections).set({ lastEventAt: now }).where(tenant.where(storeConnections, eq(storeConnections.id, message.connectionId))),
  ]);
}
