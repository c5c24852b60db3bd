// Inbound events: the one D1 write of the webhook edge. The unique dedupe key makes
// a redelivered webhook a no-op; the row holds the normalized events until the
// events consumer applies them.
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { inboundEvents } from '../db/schema';
import type { Tenant } from '../db/tenant';
import type { QueueMessage } from '../jobs/queue-messages';
import { chunk } from '../lib/chunk';
import { newId } from '../lib/ids';
import { MINUTE } from '../lib/time';
import { StoreEvents, type StoreEvent } from './store-events';

/** Where a verified webhook came from and what it means (`events: null` for a topic we do not use). */
export type VerifiedWebhook = { workspaceId: string; connectionId: string; topic: string; dedupeKey: string; events: StoreEvent[] | null };

/** Records a webhook once; `duplicate` when this dedupe key was seen before. */
export async function recordInboundEvent(db: Db, webhook: VerifiedWebhook, now = Date.now()): Promise<{ id: string; duplicate: boolean; ignored: boolean }> {
  const id = newId(now);
  const ignored = webhook.events === null;
  const [row] = await db
    .insert(inboundEvents)
    .values({
      id,
      workspaceId: webhook.workspaceId,
      connectionId: webhook.connectionId,
      topic: webhook.topic,
      dedupeKey: webhook.dedupeKey,
      status: ignored ? 'ignored' : 'queued',
      payload: ignored ? null : JSON.stringify(webhook.events),
      receivedAt: now,
    })
    .onConflictDoNothing()
    .returning({ id: inboundEvents.id });
  return { id: row?.id ?? id, duplicate: !row, ignored };
}

/** A queued event's StoreEvents, or null when it was already processed (a redelivered message). */
export async function loadQueuedEvent(tenant: Tenant, id: string): Promise<{ connectionId: string; events: StoreEvent[] } | null> {
  const [row] = await tenant.db
    .select({ status: inboundEvents.status, payload: inboundEvents.payload, connectionId: inboundEvents.connectionId })
    .from(inboundEvents)
    .where(tenant.where(inboundEvents, eq(inboundEvents.id, id)))
    .limit(1);
  if (!row || row.status !== 'queued' || !row.payload) return null;
  return { connectionId: row.connectionId, events: StoreEvents.parse(JSON.parse(row.payload)) };
}

/** The statement marking an event applied. */
export function markEventProcessed(tenant: Tenant, id: string, now = Date.now()) {
  return tenant.db.update(inboundEvents).set({ status: 'processed', processedAt: now }).where(tenant.where(inboundEvents, eq(inboundEvents.id, id)));
}

// Queues accept at most 100 messages per sendBatch.
const QUEUE_BATCH_LIMIT = 100;

// A queued event older than this was most likely never enqueued (the queue send failed after the row was written).
const STALE_AFTER = 10 * MINUTE;

/**
 * Enqueues again the queued events old enough that their first send most likely
 * failed (cron). Applying an event twice is harmless; losing it is not.
 */
export async function requeueStaleEvents(db: Db, queue: Queue<QueueMessage>, now: number, limit = 500): Promise<number> {
  const stale = await db
    .select({ id: inboundEvents.id, workspaceId: inboundEvents.workspaceId })
    .from(inboundEvents)
    .where(and(eq(inboundEvents.status, 'queued'), lt(inboundEvents.receivedAt, now - STALE_AFTER)))
    .limit(limit);
  for (const batch of chunk(stale, QUEUE_BATCH_LIMIT)) {
    await queue.sendBatch(batch.map((event) => ({ body: { type: 'store-event' as const, workspaceId: event.workspaceId, eventId: event.id } })));
  }
  return stale.length;
}
