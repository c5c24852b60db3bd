// Deliveries: written once per (source, step, contact, occurrence) before anything is
// enqueued, then moved through their lifecycle by the send job.
import { eq, inArray, sql } from 'drizzle-orm';
import { runBatch, type Db, type Statement } from '../db/client';
import { deliveries, type ConsentChannel, type DeliverySource, type DeliveryStatus } from '../db/schema';
import { campaignsInStatus, failStaleSendingDeliveries, touchStaleQueuedDeliveries } from '../db/system';
import { forWorkspace, keyed, type Tenant } from '../db/tenant';
import { enqueue, type Queues } from '../queues/enqueue';
import { sendDeliveryMessage, type QueueMessage } from '../queues/messages';
import { chunk, groupBy } from '../lib/chunk';
import { newId } from '../lib/ids';
import { HOUR } from '../lib/time';
import type { ReasonCode } from './delivery-channel';
import { canMoveDelivery } from './delivery-status';

/** One message to queue for one contact, on a channel. */
export type DeliveryRequest = {
  contactId: string;
  channel: ConsentChannel;
  sourceType: DeliverySource;
  sourceId: string;
  stepKey?: string;
  occurrenceKey?: string;
  contentId: string;
  // False when the source may reach contacts who neither opted in nor out (default true).
  requiresOptIn?: boolean;
  // Merge data of the occurrence (a flow's cart or product), readable by the design's merge tags.
  context?: Record<string, unknown>;
  // Recorded as skipped with this reason instead of queued (a flow's smart sending), so the skip shows in results.
  skip?: { reason: string; code: ReasonCode };
};

/** A delivery row as enqueueing needs it. */
export type DeliveryRef = { id: string; channel: ConsentChannel };

// The columns of a new delivery, in the order of insertDeliveries' rows.
const NEW_DELIVERY_COLUMNS = [
  'id',
  'contact_id',
  'channel',
  'source_type',
  'source_id',
  'step_key',
  'occurrence_key',
  'content_id',
  'status',
  'reason',
  'reason_code',
  'requires_opt_in',
  'context',
  'queued_at',
  'updated_at',
];

function insertDeliveries(tenant: Tenant, requests: DeliveryRequest[], now: number): Statement[] {
  const rows = requests.map((request) => {
    const status: DeliveryStatus = request.skip ? 'skipped' : 'queued';
    return [
      newId(now),
      request.contactId,
      request.channel,
      request.sourceType,
      request.sourceId,
      request.stepKey ?? '',
      request.occurrenceKey ?? '',
      request.contentId,
      status,
      request.skip?.reason ?? null,
      request.skip?.code ?? null,
      (request.requiresOptIn ?? true) ? 1 : 0,
      request.context ? JSON.stringify(request.context) : null,
      now,
      now,
    ];
  });
  return tenant.insertMany(deliveries, NEW_DELIVERY_COLUMNS, rows, sql`ON CONFLICT DO NOTHING RETURNING id, channel, status`);
}

/**
 * Writes the delivery rows in one D1 round trip; the unique key makes a repeat a no-op.
 * `alongside` statements go in the same batch, after the rows, so they commit with the
 * rows or not at all (a flow's enrollment moves on with the message its step wrote).
 * Returns the queued rows it created.
 */
export async function writeDeliveries(tenant: Tenant, requests: DeliveryRequest[], now = Date.now(), alongside: Statement[] = []): Promise<DeliveryRef[]> {
  const inserts = insertDeliveries(tenant, requests, now);
  const results = await runBatch(tenant.db, [...inserts, ...alongside]);
  return results
    .slice(0, inserts.length)
    .flatMap((result) => result.results as { id: string; channel: ConsentChannel; status: DeliveryStatus }[])
    .flatMap(({ status, ...row }) => (status === 'queued' ? [row] : []));
}

/** Enqueues one send message per delivery, in batches of 100, after any `leading` messages. */
export async function enqueueDeliveries(queues: Queues, workspaceId: string, rows: DeliveryRef[], leading: QueueMessage[] = []): Promise<void> {
  await enqueue(queues, [...leading, ...rows.map((row) => sendDeliveryMessage(workspaceId, row))]);
}

/** Writes the delivery rows and enqueues a message for each row created. Returns how many were new. */
export async function queueDeliveries(tenant: Tenant, queues: Queues, requests: DeliveryRequest[], now = Date.now()): Promise<number> {
  const created = await writeDeliveries(tenant, requests, now);
  await enqueueDeliveries(queues, tenant.workspaceId, created);
  return created.length;
}

/** Marks deliveries whose messages exhausted their retries as failed (from the dead-letter queue), each within its message's workspace. */
export async function failDeadDeliveries(db: Db, dead: { workspaceId: string; deliveryId: string }[], now = Date.now()): Promise<void> {
  await runBatch(
    db,
    dead.map(({ workspaceId, deliveryId }) =>
      db
        .update(deliveries)
        // The last temporary failure stays in the reason: the results say what kept failing.
        .set({
          status: 'failed',
          reason: sql`'Gave up after repeated temporary failures' || COALESCE('. The last: ' || ${deliveries.reason}, '')`,
          reasonCode: 'gave_up' satisfies ReasonCode,
          updatedAt: now,
        })
        .where(forWorkspace(db, workspaceId).where(deliveries, eq(deliveries.id, deliveryId), inArray(deliveries.status, ['queued', 'sending']))),
    ),
  );
}

// Longer than the longest retry delay (an hour), so a delivery waiting out its backoff is never taken for lost.
const QUEUED_STALE_AFTER = 2 * HOUR;
// A send takes seconds; one still "sending" after this died with its worker.
const SENDING_STALE_AFTER = HOUR;
const STALE_PER_TICK = 500;

// Ids per `IN (...)`: under D1's 100 bound parameters with the other values of the statement.
const IDS_PER_STATEMENT = 90;

/** Marks the deliveries among `ids` that are still queued as cancelled (their campaign was cancelled), in one round trip. */
export async function cancelQueuedDeliveries(tenant: Tenant, ids: string[], now = Date.now()): Promise<void> {
  if (!canMoveDelivery('queued', 'cancelled')) throw new Error('a delivery cannot go from queued to cancelled');
  await runBatch(
    tenant.db,
    chunk(ids, IDS_PER_STATEMENT).map((slice) =>
      tenant.db
        .update(deliveries)
        .set({ status: 'cancelled', reason: 'The campaign was cancelled before this message went out', reasonCode: 'cancelled' satisfies ReasonCode, updatedAt: now })
        // Still queued: one already claimed by a send goes on to its outcome.
        .where(tenant.where(deliveries, keyed(inArray(deliveries.id, slice)), eq(deliveries.status, 'queued'))),
    ),
  );
}

/**
 * The cron's safety net for invariant 2 (nothing is lost): re-enqueues deliveries
 * whose queue message never came (the enqueue failed after the row was written),
 * and fails those interrupted mid-send. Those are not retried: the server may have
 * taken the message, and a duplicate is worse than a recorded failure. A paused
 * campaign's queued deliveries are only touched (its resume re-enqueues them), and a
 * cancelled campaign's become cancelled (a page its cancel missed, or a lost cancel page).
 */
export async function sweepStaleDeliveries(db: Db, queues: Queues, now: number): Promise<number> {
  const stale = await touchStaleQueuedDeliveries(db, now - QUEUED_STALE_AFTER, STALE_PER_TICK, now);
  const held = await campaignsInStatus(
    db,
    stale.filter((row) => row.sourceType === 'campaign').map((row) => row.sourceId),
    ['paused', 'cancelled'],
  );
  const holdOf = (row: (typeof stale)[number]) => (row.sourceType === 'campaign' ? held.get(row.sourceId) : undefined);
  await enqueue(
    queues,
    stale.filter((row) => !holdOf(row)).map(({ workspaceId, deliveryId, channel }) => sendDeliveryMessage(workspaceId, { id: deliveryId, channel })),
  );
  const cancelled = groupBy(
    stale.filter((row) => holdOf(row) === 'cancelled'),
    (row) => row.workspaceId,
  );
  for (const [workspaceId, rows] of cancelled) {
    await cancelQueuedDeliveries(
      forWorkspace(db, workspaceId),
      rows.map((row) => row.deliveryId),
      now,
    );
  }
  const interrupted = await failStaleSendingDeliveries(
    db,
    now - SENDING_STALE_AFTER,
    { reason: 'Interrupted while sending; not retried in case the server took it', code: 'unknown_outcome' satisfies ReasonCode },
    now,
  );
  return stale.length + interrupted;
}
