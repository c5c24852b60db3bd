// Inbound events: the record of every verified webhook, keyed by its dedupe key.
// Normally the edge only enqueues (no D1 write on the hot path) and the events
// consumer claims the key; the edge stores the events itself only when they are
// too large for a queue message or the queue send failed, and cron re-enqueues those.
import { eq, sql } from 'drizzle-orm';
import { type Db, runBatch } from '../db/client';
import { inboundEvents, type InboundEventStatus, storeConnections } from '../db/schema';
import { deleteFinishedInboundEvents, listStaleStoredEvents, recordDeadLetters } from '../db/system';
import { forWorkspace, type Tenant } from '../db/tenant';
import { enqueue, type Queues } from '../queues/enqueue';
import { storeEventMessage } from '../queues/messages';
import { newId } from '../lib/ids';
import { DAY, MINUTE } from '../lib/time';
import { StoreEvents, type StoreEvent } from './store-events';

/**
 * A verified webhook: where it came from and what it means (`events: null` for a topic we
 * do not use, or for a store's test notification, `test`).
 */
export type VerifiedWebhook = { workspaceId: string; connectionId: string; topic: string; dedupeKey: string; receivedAt: number; events: StoreEvent[] | null; test?: boolean | undefined };

/** The status a webhook is first recorded with: only `queued` ones are applied. */
function receivedStatus(webhook: Pick<VerifiedWebhook, 'events' | 'test'>): InboundEventStatus {
  if (webhook.test) return 'test';
  return webhook.events === null ? 'ignored' : 'queued';
}

/** What claiming a webhook found: its record's id, and whether its events are to be applied now. */
export type InboundClaim = { id: string; apply: boolean };

const dedupeIdentity = (webhook: VerifiedWebhook) => JSON.stringify([webhook.workspaceId, webhook.connectionId, webhook.dedupeKey]);

/**
 * Claims a queue batch's webhooks for processing, in one round trip (two when some were
 * seen before). `apply` is false when the dedupe key was already processed or ignored (a
 * redelivery, counted) or is claimed earlier in the same list; true for a new one, or one
 * whose earlier processing did not finish (applying again is harmless).
 */
export async function claimInboundEvents(db: Db, webhooks: VerifiedWebhook[]): Promise<InboundClaim[]> {
  const tenantOf = (webhook: VerifiedWebhook) => forWorkspace(db, webhook.workspaceId);
  const inserts = webhooks.map((webhook) =>
    db
      .insert(inboundEvents)
      .values(
        tenantOf(webhook).row({
          id: newId(webhook.receivedAt),
          connectionId: webhook.connectionId,
          topic: webhook.topic,
          dedupeKey: webhook.dedupeKey,
          status: receivedStatus(webhook),
          receivedAt: webhook.receivedAt,
        }),
      )
      .onConflictDoNothing()
      .returning({ id: inboundEvents.id }),
  );
  const [first, ...rest] = inserts;
  if (!first) return [];
  const inserted = await db.batch([first, ...rest]);
  const seen = new Set<string>();
  const claims: InboundClaim[] = [];
  const known: number[] = [];
  for (const [i, webhook] of webhooks.entries()) {
    const row = inserted[i]![0];
    if (!row) {
      known.push(i);
      continue;
    }
    claims[i] = { id: row.id, apply: receivedStatus(webhook) === 'queued' };
    seen.add(dedupeIdentity(webhook));
  }
  const recounts = known.map((i) => {
    const webhook = webhooks[i]!;
    const tenant = tenantOf(webhook);
    return tenant.db
      .update(inboundEvents)
      .set({ deliveries: sql`${inboundEvents.deliveries} + 1`, redeliveredAt: webhook.receivedAt })
      .where(tenant.where(inboundEvents, eq(inboundEvents.connectionId, webhook.connectionId), eq(inboundEvents.dedupeKey, webhook.dedupeKey)))
      .returning({ id: inboundEvents.id, status: inboundEvents.status });
  });
  const [firstRecount, ...moreRecounts] = recounts;
  if (firstRecount) {
    const recounted = await db.batch([firstRecount, ...moreRecounts]);
    for (const [n, i] of known.entries()) {
      const webhook = webhooks[i]!;
      const [existing] = recounted[n]!;
      const identity = dedupeIdentity(webhook);
      claims[i] = { id: existing!.id, apply: existing!.status === 'queued' && receivedStatus(webhook) === 'queued' && !seen.has(identity) };
      seen.add(identity);
    }
  }
  return claims;
}

/** Events read back from a queue message or D1: the schema they were written with, or why not. */
export type ReadEvents = { ok: true; events: StoreEvent[] } | { ok: false; reason: string };

/** Reads events that crossed the queue or D1; never throws, since retrying cannot fix them. */
export function readStoreEvents(value: unknown): ReadEvents {
  const parsed = StoreEvents.safeParse(value);
  if (parsed.success) return { ok: true, events: parsed.data };
  const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(events)'}: ${issue.message}`);
  return { ok: false, reason: `rejected: ${issues.join('; ')}` };
}

/** Claims events the edge stored: applied unless already processed; unreadable ones come back with the reason. */
export async function claimStoredEvent(tenant: Tenant, id: string): Promise<{ id: string; apply: boolean; events: ReadEvents }> {
  const [row] = await tenant.db
    .select({ status: inboundEvents.status, payload: inboundEvents.payload })
    .from(inboundEvents)
    .where(tenant.where(inboundEvents, eq(inboundEvents.id, id)))
    .limit(1);
  const apply = row?.status === 'queued' && row.payload !== null;
  if (!apply) return { id, apply, events: { ok: true, events: [] } };
  let payload: unknown;
  try {
    payload = JSON.parse(row.payload!);
  } catch {
    return { id, apply, events: { ok: false, reason: 'rejected: the stored events are not JSON' } };
  }
  return { id, apply, events: readStoreEvents(payload) };
}

// Where rejections are recorded too: with the queue's dead letters, which keep the message.
const EVENTS_QUEUE_NAME = 'marketing-events';

/**
 * Records a webhook whose events cannot be applied: its inbound event is closed as
 * rejected with the reason (a redelivery is then counted, not tried again; the merchant
 * reads the reason in the connection's deliveries log) and the reason is kept with the
 * dead letters too, so the consumer moves on instead of retrying into the dead-letter queue.
 */
export async function rejectInboundEvent(tenant: Tenant, id: string, message: object, reason: string, now = Date.now()): Promise<void> {
  // The dead letter first: if closing the event then fails, the retry records it once (same message id).
  await recordDeadLetters(tenant.db, [{ queue: EVENTS_QUEUE_NAME, messageId: `rejected:${id}`, body: message, attempts: 1, reason }], now);
  await tenant.db
    .update(inboundEvents)
    .set({ status: 'rejected', reason, processedAt: now, payload: null })
    .where(tenant.where(inboundEvents, eq(inboundEvents.id, id)));
}

// Reasons come from errors: bounded, so a long message cannot bloat the row.
const MAX_REASON_LENGTH = 500;

/** Keeps why an attempt at a queued event failed; the event stays queued and is retried. */
export async function noteFailedAttempt(tenant: Tenant, id: string, reason: string): Promise<void> {
  await tenant.db
    .update(inboundEvents)
    .set({ reason: reason.slice(0, MAX_REASON_LENGTH) })
    .where(tenant.where(inboundEvents, eq(inboundEvents.id, id), eq(inboundEvents.status, 'queued')));
}

/**
 * Closes the inbound events of store-event messages that exhausted their retries as
 * rejected, keeping the last attempt's reason: nothing a store sent disappears unseen.
 */
export async function rejectDeadStoreEvents(db: Db, dead: Pick<VerifiedWebhook, 'workspaceId' | 'connectionId' | 'dedupeKey'>[], now = Date.now()): Promise<void> {
  await runBatch(
    db,
    dead.map(({ workspaceId, connectionId, dedupeKey }) =>
      db
        .update(inboundEvents)
        .set({ status: 'rejected', reason: sql`COALESCE(${inboundEvents.reason}, 'failed after every retry')`, processedAt: now, payload: null })
        .where(forWorkspace(db, workspaceId).where(inboundEvents, eq(inboundEvents.connectionId, connectionId), eq(inboundEvents.dedupeKey, dedupeKey), eq(inboundEvents.status, 'queued'))),
    ),
  );
}

/** The statement recording that a connection received a test notification at `at`. */
export function recordTestStatement(tenant: Tenant, connectionId: string, at: number) {
  return tenant.db
    .update(storeConnections)
    .set({ lastTestAt: sql`MAX(COALESCE(${storeConnections.lastTestAt}, 0), ${at})` })
    .where(tenant.where(storeConnections, eq(storeConnections.id, connectionId)));
}

/**
 * Stores a webhook at the edge (fallback path); returns its id, or null when this dedupe key
 * is known. A test notification is recorded on its connection in the same batch.
 */
export async function storeInboundEvent(db: Db, webhook: VerifiedWebhook): Promise<string | null> {
  const insert = db
    .insert(inboundEvents)
    .values({
      id: newId(webhook.receivedAt),
      workspaceId: webhook.workspaceId,
      connectionId: webhook.connectionId,
      topic: webhook.topic,
      dedupeKey: webhook.dedupeKey,
      status: receivedStatus(webhook),
      payload: webhook.events === null ? null : JSON.stringify(webhook.events),
      receivedAt: webhook.receivedAt,
    })
    .onConflictDoNothing()
    .returning({ id: inboundEvents.id });
  const [rows] = webhook.test ? await db.batch([insert, recordTestStatement(forWorkspace(db, webhook.workspaceId), webhook.connectionId, webhook.receivedAt)]) : [await insert];
  return rows[0]?.id ?? null;
}

/** The statement marking an event applied (and dropping a stored payload: it is no longer needed). */
export function markEventProcessed(tenant: Tenant, id: string, now = Date.now()) {
  return tenant.db
    .update(inboundEvents)
    .set({ status: 'processed', processedAt: now, payload: null })
    .where(tenant.where(inboundEvents, eq(inboundEvents.id, id)));
}

// A stored event still queued after this most likely lost its queue send.
const STALE_AFTER = 10 * MINUTE;

/** Enqueues again the events the edge stored whose queue message never led to processing (cron). */
export async function requeueStaleEvents(db: Db, queues: Queues, now: number, limit = 500): Promise<number> {
  const stale = await listStaleStoredEvents(db, now - STALE_AFTER, limit);
  await enqueue(
    queues,
    stale.map(({ id, ...event }) => storeEventMessage({ ...event, events: null, storedEventId: id })),
  );
  return stale.length;
}

/**
 * How long a finished webhook's record is kept: its dedupe key only matters while the store
 * may redeliver (Shopify retries for 48 hours), and the connection's log shows this far back.
 */
export const INBOUND_EVENT_RETENTION = 30 * DAY;
// Records deleted per tick: a bounded write the next tick continues.
const PURGE_PER_TICK = 1_000;

/** Deletes finished webhook records older than INBOUND_EVENT_RETENTION, a bounded page per tick. */
export function purgeOldInboundEvents(db: Db, now: number): Promise<number> {
  return deleteFinishedInboundEvents(db, now - INBOUND_EVENT_RETENTION, PURGE_PER_TICK);
}
