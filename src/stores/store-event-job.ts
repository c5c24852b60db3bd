// The `store-event` job, a queue batch at a time: one claim of the webhooks' dedupe keys,
// their events applied in lanes (event-lanes.ts: webhooks about the same customer, order or
// cart in arrival order, the others side by side), and one batch marking them processed.
// A Black Friday burst costs a few round trips per webhook instead of one claim and one mark each.
import { eq } from 'drizzle-orm';
import { openDb, runBatch, type Db, type Statement } from '../db/client';
import { storeConnections } from '../db/schema';
import { forWorkspace, type Tenant } from '../db/tenant';
import type { Env } from '../env';
import { groupBy } from '../lib/chunk';
import { forEachConcurrently } from '../lib/concurrency';
import { AppError } from '../lib/errors';
import { MINUTE } from '../lib/time';
import type { BatchJobResult } from '../queues/batch-scope';
import type { StoreEventMessage } from '../queues/messages';
import { applyStoreEvent, type EventSource, productIdsBySku, skusOf } from './apply-store-events';
import { planLanes, touchedKeys } from './event-lanes';
import {
  claimInboundEvents,
  claimStoredEvent,
  type InboundClaim,
  markEventProcessed,
  noteFailedAttempt,
  readStoreEvents,
  recordTestStatement,
  rejectInboundEvent,
  type ReadEvents,
} from './inbound-events';
import { loadWebhookConnection, type WebhookConnection } from './store-connections.service';
import type { StoreEvent } from './store-events';

// Lanes applied at once: each mostly waits on D1, and a bound keeps one burst from holding
// many round trips in flight against the database every workspace shares.
const LANES_AT_ONCE = 6;

// "Last event" on Settings is shown to the minute; writing it once a minute per connection keeps D1 free for the events.
const lastEventWrites = new Map<string, number>();

/** A webhook of the batch whose connection still exists in its workspace. */
type Live = { index: number; message: StoreEventMessage; tenant: Tenant; connection: WebhookConnection };

/** A claimed webhook whose events are to be applied. */
type Claimed = Live & { claimId: string; events: ReadEvents };

/** A claimed webhook whose events could be read. */
type Readable = Claimed & { events: { ok: true; events: StoreEvent[] } };

/** Applies a batch of webhooks, each once; a redelivery (same dedupe key) only counts itself. One result per message, in order. */
export async function runStoreEventBatch(messages: StoreEventMessage[], env: Env): Promise<BatchJobResult[]> {
  const db = openDb(env.DB);
  const now = Date.now();
  const results: BatchJobResult[] = messages.map(() => ({ ok: true }));
  // Null, so a failed step's promise can stand in for what it did not produce.
  const fail = (index: number, err: unknown): null => {
    results[index] = { ok: false, error: String(err) };
    return null;
  };
  // A deleted connection (its data is no longer wanted) or another workspace's: nothing to do.
  const live = await liveWebhooks(db, env.ENCRYPTION_KEY, messages);
  const claimed = await claimAll(db, live, fail);
  const done: Claimed[] = [];
  const unreadable = claimed.filter((webhook) => !webhook.events.ok);
  // Events the edge should have refused (sent by an older version, or stored before a limit
  // tightened): retrying cannot fix them, so they are recorded as rejected and the queue moves on.
  for (const webhook of unreadable) {
    const reason = (webhook.events as Extract<ReadEvents, { ok: false }>).reason;
    await rejectInboundEvent(webhook.tenant, webhook.claimId, webhook.message, reason, now).catch((err) => fail(webhook.index, err));
  }
  const readable = claimed.filter((webhook) => webhook.events.ok) as Readable[];
  const keys = readable.map((webhook) => touchedKeys(webhook.tenant.workspaceId, webhook.connection.id, webhook.events.events));
  for (const lanes of planLanes(keys)) {
    // A step without a catalog change changes no product: the SKUs its orders, carts and interests name are read once.
    const catalogChange = keys[lanes[0]![0]!] === null;
    const productIds = catalogChange ? new Map<string, Map<string, string>>() : await productIdsByConnection(lanes.flat().map((position) => readable[position]!));
    await forEachConcurrently(lanes, LANES_AT_ONCE, async (lane) => {
      for (const position of lane) {
        const webhook = readable[position]!;
        try {
          await applyEvents(webhook, productIds.get(webhook.connection.id), now);
          done.push(webhook);
        } catch (err) {
          // Kept for the merchant (when the retries run out, the event is rejected with it): our own
          // errors say what is missing; anything else may hold internals, so it is only logged.
          await noteFailedAttempt(webhook.tenant, webhook.claimId, err instanceof AppError ? err.message : 'Could not be applied (an error on our side); retried.').catch(() => undefined);
          fail(webhook.index, err);
        }
      }
    });
  }
  const tests = live.filter((webhook) => webhook.message.test);
  try {
    await runBatch(db, [
      ...done.map((webhook) => markEventProcessed(webhook.tenant, webhook.claimId, now)),
      ...tests.map((webhook) => recordTestStatement(webhook.tenant, webhook.message.connectionId, webhook.message.receivedAt)),
      ...lastEventStatements(done, now),
    ]);
  } catch (err) {
    // Applied again on the retry, which converges on the same state.
    for (const webhook of [...done, ...tests]) fail(webhook.index, err);
  }
  return results;
}

/** The batch's webhooks whose connection exists in their workspace (each connection read once, and cached). */
async function liveWebhooks(db: Db, encryptionKey: string, messages: StoreEventMessage[]): Promise<Live[]> {
  const connections = new Map<string, WebhookConnection | null>();
  for (const id of new Set(messages.map((message) => message.connectionId))) connections.set(id, await loadWebhookConnection(db, encryptionKey, id));
  return messages.flatMap((message, index) => {
    const connection = connections.get(message.connectionId);
    return connection && connection.workspaceId === message.workspaceId ? [{ index, message, connection, tenant: forWorkspace(db, message.workspaceId) }] : [];
  });
}

/**
 * Claims every webhook (a store's test notification too, which is recorded and applied to
 * nothing) and returns those whose events are to be applied, with their events: from the
 * message, or from D1 for the large ones the edge stored.
 */
async function claimAll(db: Db, live: Live[], fail: (index: number, err: unknown) => null): Promise<Claimed[]> {
  const carried = live.filter((webhook) => !webhook.message.storedEventId);
  const reads = carried.map(({ message }) => (message.events === null || message.test ? null : readStoreEvents(message.events)));
  const webhooks = carried.map(({ message }, i) => ({ ...message, events: reads[i] ? (reads[i].ok ? reads[i].events : []) : null }));
  const claims: (InboundClaim | null)[] = await claimInboundEvents(db, webhooks).catch(async () => {
    // One webhook the database refuses (its workspace deleted since its connection was
    // cached) must not send the batch's others to the retries with it: each is claimed alone.
    const alone: (InboundClaim | null)[] = [];
    for (const [i, webhook] of webhooks.entries()) {
      alone.push(
        await claimInboundEvents(db, [webhook]).then(
          ([claim]) => claim!,
          (err) => fail(carried[i]!.index, err),
        ),
      );
    }
    return alone;
  });
  const claimed: Claimed[] = carried.flatMap((webhook, i) => {
    const claim = claims[i];
    return claim?.apply ? [{ ...webhook, claimId: claim.id, events: reads[i]! }] : [];
  });
  for (const webhook of live.filter((webhook) => webhook.message.storedEventId)) {
    const claim = await claimStoredEvent(webhook.tenant, webhook.message.storedEventId!).catch((err) => fail(webhook.index, err));
    if (claim?.apply) claimed.push({ ...webhook, claimId: claim.id, events: claim.events });
  }
  return claimed;
}

/** The product ids of the SKUs the webhooks name, one query per store connection. */
async function productIdsByConnection(webhooks: Readable[]): Promise<Map<string, Map<string, string>>> {
  const byConnection = new Map<string, Map<string, string>>();
  for (const [connectionId, group] of groupBy(webhooks, (webhook) => webhook.connection.id)) {
    byConnection.set(
      connectionId,
      await productIdsBySku(
        group[0]!.tenant,
        connectionId,
        group.flatMap((webhook) => skusOf(webhook.events.events)),
      ),
    );
  }
  return byConnection;
}

/** Applies one webhook's events in order. */
async function applyEvents({ tenant, connection, events }: Readable, productIds: Map<string, string> | undefined, now: number): Promise<void> {
  const source: EventSource = { connectionId: connection.id, platform: connection.platform, currency: connection.currency, productIds };
  for (const event of events.events) await applyStoreEvent(tenant, event, source, now);
}

/** "Last event" of each connection the batch heard from, at most once a minute per connection (in this isolate). */
function lastEventStatements(webhooks: Live[], now: number): Statement[] {
  const connections = new Map(webhooks.map((webhook) => [webhook.connection.id, webhook.tenant]));
  return [...connections].flatMap(([connectionId, tenant]) => {
    if (now - (lastEventWrites.get(connectionId) ?? 0) < MINUTE) return [];
    lastEventWrites.set(connectionId, now);
    return [
      tenant.db
        .update(storeConnections)
        .set({ lastEventAt: now })
        .where(tenant.where(storeConnections, eq(storeConnections.id, connectionId))),
    ];
  });
}
