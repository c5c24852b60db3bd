// The `send-delivery` job, run on a whole queue batch at once: one message to one
// contact per queue message, on the delivery's channel. Per workspace and channel it
// reserves send slots (the rate limit), claims the deliveries (queued → sending, so
// only one worker ever sends each), checks consent now rather than when queued, has the
// channel render and send each, and records every outcome in one D1 round trip.
// Temporary failures go back to the queue with backoff; a message the provider took but
// never confirmed is recorded as an unknown outcome and never resent.
import { eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { consentFields, describeSkipReason, skipReasonOf, type ConsentFacts } from '../consent/eligibility';
import { inJsonList, openDb, runBatch, type Statement } from '../db/client';
import { campaigns, contacts, deliveries, type ConsentChannel } from '../db/schema';
import { forWorkspace, keyed, type Tenant } from '../db/tenant';
import type { Env } from '../env';
import type { BatchJobResult, BatchScope } from '../queues/batch-scope';
import { chunk, groupBy } from '../lib/chunk';
import { enqueue } from '../queues/enqueue';
import type { SendDeliveryMessage } from '../queues/messages';
import { OUTCOME_CODES, type ChannelRegistry, type ChannelSender, type ClaimedDelivery, type DeliveryRecipient, type ReasonCode, type SenderFault } from './delivery-channel';
import { canMoveDelivery } from './delivery-status';
import { reserveSendSlots, slotStartsAt, waitForSlot } from './send-pacing';

type Message = z.infer<typeof SendDeliveryMessage>;
type Recipient = DeliveryRecipient & ConsentFacts;
type Group = { message: Message; index: number }[];

// Workers allow six outgoing connections at a time: a batch's senders share them.
const OUTGOING_CONNECTIONS = 6;
// Longest a message waiting on a sender's cap stays off the queue before it looks again:
// well under the stale-delivery sweep's two hours, which would otherwise enqueue it twice.
const MAX_WAIT_MS = 3_600_000;
// How far ahead of its send slot a message may be composed up front: what composing checks
// (an SMS recipient's quiet hours) must still hold when it leaves. A lane's render of its
// next message is this early already at the slowest pace, one text a second.
const UP_FRONT_MS = 1_000;

/** Puts messages back on the queue after `delayMs`, without using up a retry (the message is new). */
async function sendBackLater(env: Env, messages: Message[], delayMs: number): Promise<void> {
  if (messages.length) await enqueue(env, messages, { delaySeconds: Math.ceil(Math.min(delayMs, MAX_WAIT_MS) / 1000) });
}

/** Puts waiting messages back, each after its own wait (recipients' quiet hours end at different times). */
async function sendEachBackLater(env: Env, waiting: { message: Message; delayMs: number }[]): Promise<void> {
  const byDelay = groupBy(waiting, ({ delayMs }) => Math.ceil(Math.min(delayMs, MAX_WAIT_MS) / 1000));
  await Promise.all(
    [...byDelay.values()].map((group) =>
      sendBackLater(
        env,
        group.map(({ message }) => message),
        group[0]!.delayMs,
      ),
    ),
  );
}

// A delivery of a paused or cancelled campaign stays queued: resuming re-enqueues it,
// cancelling marks it cancelled. Checked in the claim itself, so a pause takes effect
// for every message not yet claimed, whatever is already on the queue.
const sourceHeld = sql`EXISTS (SELECT 1 FROM ${campaigns} WHERE ${campaigns.id} = ${deliveries.sourceId} AND ${campaigns.workspaceId} = ${deliveries.workspaceId} AND ${campaigns.status} IN ('paused', 'cancelled'))`;

/** Claims the queued deliveries among `ids` (queued → sending); the others were sent, taken already or held. */
async function claimDeliveries(tenant: Tenant, ids: string[], now: number): Promise<ClaimedDelivery[]> {
  if (!ids.length) return [];
  return tenant.db
    .update(deliveries)
    .set({ status: 'sending', attempts: sql`${deliveries.attempts} + 1`, updatedAt: now })
    .where(tenant.where(deliveries, keyed(inJsonList(deliveries.id, ids)), eq(deliveries.status, 'queued'), sql`NOT (${deliveries.sourceType} = 'campaign' AND ${sourceHeld})`))
    .returning();
}

/** The recipients with what the consent rule reads on the channel, in one round trip. */
async function loadRecipients(tenant: Tenant, channel: ConsentChannel, contactIds: string[]): Promise<Map<string, Recipient>> {
  if (!contactIds.length) return new Map();
  const rows = await tenant.db
    .select({
      id: contacts.id,
      email: contacts.email,
      phone: contacts.phone,
      firstName: contacts.firstName,
      lastName: contacts.lastName,
      timeZone: contacts.timeZone,
      ...consentFields(channel, tenant.workspaceId),
    })
    .from(contacts)
    .where(tenant.where(contacts, keyed(inJsonList(contacts.id, [...new Set(contactIds)]))));
  return new Map(rows.map((row) => [row.id, row]));
}

/** A delivery's status change with why, applied only if it is still `sending` (as every change here is). */
function finish(tenant: Tenant, id: string, to: ClaimedDelivery['status'], why: { reason: string; code: ReasonCode }, now: number): Statement {
  if (!canMoveDelivery('sending', to)) throw new Error(`a delivery cannot go from sending to ${to}`);
  return tenant.db
    .update(deliveries)
    .set({ status: to, reason: why.reason, reasonCode: why.code, updatedAt: now })
    .where(tenant.where(deliveries, eq(deliveries.id, id), eq(deliveries.status, 'sending')));
}

// Rows per bulk "sent" update: a batch's at most, as one JSON parameter of a few KB.
const SENT_PER_UPDATE = 200;

/**
 * Marks sent deliveries in one statement per SENT_PER_UPDATE, each with its own send time
 * and provider id, joined from one JSON parameter: drizzle building a CASE of two bound
 * values per row was the largest share of a text's CPU left in the send job.
 */
function markSent(tenant: Tenant, sent: { id: string; at: number; providerId: string }[]): Statement[] {
  if (!canMoveDelivery('sending', 'sent')) throw new Error('a delivery cannot go from sending to sent');
  return chunk(sent, SENT_PER_UPDATE).map((slice) =>
    tenant.db
      .update(deliveries)
      .set({
        status: 'sent',
        reason: null,
        reasonCode: null,
        messageId: sql`json_extract(sent.value, '$[1]')`,
        sentAt: sql`json_extract(sent.value, '$[2]')`,
        updatedAt: Math.max(...slice.map(({ at }) => at)),
      })
      .from(sql`json_each(${JSON.stringify(slice.map(({ id, providerId, at }) => [id, providerId, at]))}) AS sent`)
      .where(tenant.where(deliveries, keyed(sql`${deliveries.id} = json_extract(sent.value, '$[0]')`), eq(deliveries.status, 'sending'))),
  );
}

/** Sends one workspace's messages on one channel; fills `results` for them (failures are retried). */
async function sendForSender(
  env: Env,
  scope: BatchScope,
  registry: ChannelRegistry,
  workspaceId: string,
  channel: ConsentChannel,
  group: Group,
  results: BatchJobResult[],
  maxLanes: number,
): Promise<void> {
  const tenant = forWorkspace(openDb(env.DB), workspaceId);
  const implementation = registry[channel];
  const sender: ChannelSender | null = implementation ? await implementation.openSender(env, tenant, scope, maxLanes) : null;

  const slots = await reserveSendSlots(env, workspaceId, channel, group.length, sender?.perSecond ?? null);
  // Over the workspace's rate for longer than a consumer should wait: back on the queue.
  await sendBackLater(
    env,
    group.slice(slots.granted).map(({ message }) => message),
    slots.retryAfterMs,
  );

  // The provider's handshakes run while the batch claims and reads its deliveries.
  if (sender && slots.granted > 0) sender.connectAhead?.(Math.min(sender.lanes, slots.granted));
  const now = Date.now();
  const claimed = await claimDeliveries(
    tenant,
    group.slice(0, slots.granted).map(({ message }) => message.deliveryId),
    now,
  );
  const recipients = await loadRecipients(
    tenant,
    channel,
    claimed.map((delivery) => delivery.contactId),
  );
  const updates: Statement[] = [];
  const sendable: { delivery: ClaimedDelivery; recipient: Recipient }[] = [];
  for (const delivery of claimed) {
    const recipient = recipients.get(delivery.contactId);
    const skip = skipReasonOf(recipient, channel, delivery.requiresOptIn ? 'opted_in' : 'not_opted_out');
    if (skip) updates.push(finish(tenant, delivery.id, 'skipped', { reason: describeSkipReason(skip), code: skip.type }, now));
    else if (!sender) updates.push(finish(tenant, delivery.id, 'failed', { reason: `Sending by ${channel} is not available`, code: 'no_channel' }, now));
    else sendable.push({ delivery, recipient: recipient! });
  }

  const sent: { id: string; at: number; providerId: string }[] = [];
  // The last failure that was the sender's own: once there is one, the rest of this
  // sender's messages wait for a retry instead of each waiting out the same fault.
  let fault: SenderFault | null = null;
  // Once the sender says to wait (a cap reached), the rest of its messages wait too.
  let wait: { reason: string; retryAfterMs: number } | null = null;
  const waiting: { message: Message; delayMs: number }[] = [];
  const indexOf = new Map(group.map(({ message, index }) => [message.deliveryId, index]));
  const waitLater = (delivery: ClaimedDelivery, until: { reason: string; retryAfterMs: number; code?: ReasonCode }, at: number) => {
    updates.push(finish(tenant, delivery.id, 'queued', { reason: until.reason, code: until.code ?? OUTCOME_CODES.wait }, at));
    waiting.push({ message: group.find(({ message }) => message.deliveryId === delivery.id)!.message, delayMs: until.retryAfterMs });
  };
  const retryLater = (delivery: ClaimedDelivery, reason: string, at: number) => {
    updates.push(finish(tenant, delivery.id, 'queued', { reason, code: OUTCOME_CODES.retry }, at));
    // Retried by the queue with backoff (and dead-lettered in the end).
    results[indexOf.get(delivery.id)!] = { ok: false, error: reason };
  };
  /** Renders one delivery: the message to send, or null once its outcome (a skip, a wait, a failure) is recorded. */
  const prepare = async (channelSender: ChannelSender, { delivery, recipient }: (typeof sendable)[number]) => {
    const composed = await channelSender.compose(delivery, recipient);
    if ('message' in composed) return composed.message;
    if (composed.status === 'wait') waitLater(delivery, composed, Date.now());
    else updates.push(finish(tenant, delivery.id, composed.status, composed, Date.now()));
    return null;
  };
  /** Sends one rendered delivery in its rate slot, recording the outcome. */
  const transmit = async (channelSender: ChannelSender, delivery: ClaimedDelivery, message: unknown, slot: number, lane: number) => {
    await waitForSlot(slots, slot);
    if (fault) return retryLater(delivery, fault.message, Date.now());
    if (wait) return waitLater(delivery, wait, Date.now());
    const outcome = await channelSender.send(message, lane);
    const at = Date.now();
    switch (outcome.status) {
      case 'sent':
        return void sent.push({ id: delivery.id, at, providerId: outcome.providerId });
      case 'unknown':
        return void updates.push(finish(tenant, delivery.id, 'unknown', { reason: outcome.reason, code: OUTCOME_CODES.unknown }, at));
      case 'failed':
        return void updates.push(finish(tenant, delivery.id, 'failed', { reason: outcome.reason, code: OUTCOME_CODES.failed }, at), ...(outcome.statements ?? []));
      case 'retry':
        fault = outcome.senderFault ?? fault;
        return retryLater(delivery, outcome.reason, at);
      case 'wait':
        wait = outcome;
        return waitLater(delivery, outcome, at);
    }
  };
  if (sender) {
    // Each lane renders its next message while the one before is with the provider, so a
    // render costs no time of the lane's connection; a sender that composes up front has
    // the messages due within UP_FRONT_MS rendered at once. Slots are taken in order, so
    // pacing keeps its order.
    const preparing = (item: (typeof sendable)[number]) => {
      const prepared = prepare(sender, item);
      // Awaited by a lane; this only keeps a failure while the lane sends the one before from being reported as unhandled.
      prepared.catch(() => undefined);
      return prepared;
    };
    const composedAt = Date.now();
    const upFront = sender.composeUpFront ? sendable.map((item, slot) => (slotStartsAt(slots, slot) - composedAt <= UP_FRONT_MS ? preparing(item) : null)) : null;
    let next = 0;
    const take = () => {
      if (next >= sendable.length) return null;
      const slot = next++;
      return { slot, delivery: sendable[slot]!.delivery, prepared: upFront?.[slot] ?? preparing(sendable[slot]!) };
    };
    const lane = async (laneNumber: number) => {
      let ahead = take();
      while (ahead) {
        const current = ahead;
        ahead = take();
        const message = await current.prepared;
        if (message !== null) await transmit(sender, current.delivery, message, current.slot, laneNumber);
      }
    };
    await Promise.all(Array.from({ length: Math.min(sender.lanes, sendable.length) }, (_, i) => lane(i)));
  }
  const health = sender?.recordAttempts({ sent: sent.length, fault }) ?? [];
  await runBatch(tenant.db, [...markSent(tenant, sent), ...updates, ...health]);
  // After the batch put them back to queued, so the returning messages can claim them.
  await sendEachBackLater(env, waiting);
}

/**
 * Sends a batch's deliveries; a redelivered message finds its delivery no longer queued
 * and does nothing. Senders (a workspace on a channel) go side by side, so one
 * workspace's slow or dead server holds up only its own messages, and they share the
 * Worker's outgoing connections.
 */
export async function runSendDeliveryBatch(messages: Message[], env: Env, scope: BatchScope, registry: ChannelRegistry): Promise<BatchJobResult[]> {
  const results: BatchJobResult[] = messages.map(() => ({ ok: true }));
  const bySender = groupBy(
    messages.map((message, index) => ({ message, index })),
    ({ message }) => `${message.workspaceId}:${message.channel}`,
  );
  const maxLanes = Math.max(1, Math.floor(OUTGOING_CONNECTIONS / bySender.size));
  await Promise.all(
    [...bySender.values()].map(async (group) => {
      const { workspaceId, channel } = group[0]!.message;
      try {
        await sendForSender(env, scope, registry, workspaceId, channel, group, results, maxLanes);
      } catch (err) {
        for (const { index } of group) results[index] = { ok: false, error: String(err) };
      }
    }),
  );
  return results;
}
