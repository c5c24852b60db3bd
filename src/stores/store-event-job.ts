// The `store-event` job: claim the webhook's dedupe key, apply its events, mark it processed.
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import { openDb, type Statement } from '../db/client';
import { storeConnections } from '../db/schema';
import { forWorkspace, type Tenant } from '../db/tenant';
import type { Env } from '../env';
import type { StoreEventMessage } from '../queues/messages';
import { AppError } from '../lib/errors';
import { MINUTE } from '../lib/time';
import { applyStoreEvent } from './apply-store-events';
import { claimInboundEvent, claimStoredEvent, markEventProcessed, noteFailedAttempt, readStoreEvents, recordTestStatement, rejectInboundEvent } from './inbound-events';
import { loadWebhookConnection } from './store-connections.service';

// "Last event" on Settings is shown to the minute; writing it once a minute per connection keeps D1 free for the events.
const lastEventWrites = new Map<string, number>();

/** Applies one webhook once; a redelivery (same dedupe key) only counts itself. */
export async function runStoreEventJob(message: z.infer<typeof StoreEventMessage>, env: Env): Promise<void> {
  const db = openDb(env.DB);
  const tenant = forWorkspace(db, message.workspaceId);
  const connection = await loadWebhookConnection(db, env.ENCRYPTION_KEY, message.connectionId);
  // Deleted after the webhook arrived (its data is no longer wanted), or not this workspace's.
  if (!connection || connection.workspaceId !== message.workspaceId) return;
  if (message.test) return recordTestNotification(tenant, message);
  const read = message.events === null ? null : readStoreEvents(message.events);
  const claim = message.storedEventId
    ? await claimStoredEvent(tenant, message.storedEventId)
    : { ...(await claimInboundEvent(tenant, { ...message, events: read && (read.ok ? read.events : []) })), events: read ?? { ok: true as const, events: [] } };
  if (!claim.apply) return;
  const now = Date.now();
  // Events the edge should have refused (sent by an older version, or stored before a limit
  // tightened): retrying cannot fix them, so they are recorded as rejected and the queue moves on.
  if (!claim.events.ok) return rejectInboundEvent(tenant, claim.id, message, claim.events.reason, now);
  const source = { connectionId: connection.id, platform: connection.platform, currency: connection.currency };
  try {
    for (const event of claim.events.events) await applyStoreEvent(tenant, event, source, now);
  } catch (err) {
    // Kept for the merchant (when the retries run out, the event is rejected with it): our own
    // errors say what is missing; anything else may hold internals, so it is only logged.
    await noteFailedAttempt(tenant, claim.id, err instanceof AppError ? err.message : 'Could not be applied (an error on our side); retried.');
    throw err;
  }
  const statements: Statement[] = [markEventProcessed(tenant, claim.id, now)];
  if (now - (lastEventWrites.get(connection.id) ?? 0) >= MINUTE) {
    lastEventWrites.set(connection.id, now);
    statements.push(
      tenant.db
        .update(storeConnections)
        .set({ lastEventAt: now })
        .where(tenant.where(storeConnections, eq(storeConnections.id, connection.id))),
    );
  }
  await tenant.db.batch(statements as [Statement, ...Statement[]]);
}

/** A store's test notification: recorded as a test and on its connection ("Test received"), applied to nothing. */
async function recordTestNotification(tenant: Tenant, message: z.infer<typeof StoreEventMessage>): Promise<void> {
  await claimInboundEvent(tenant, { ...message, events: null, test: true });
  await recordTestStatement(tenant, message.connectionId, message.receivedAt);
}
