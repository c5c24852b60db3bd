// Every message body on our queues: one zod discriminated union, checked on read.
// Messages carry ids and facts, never rendered content, so they stay below 128 KB
// and sends always reflect the current data when processed.
// Each type has its builder here, so every producer writes the same body.
import { z } from 'zod';
import { CONSENT_CHANNELS, type ConsentChannel } from '../db/schema';

/**
 * A verified store webhook to apply to contacts, orders, carts and products. Its
 * normalized events travel in the message; when they were too large, the edge
 * stored them and `storedEventId` points at them (then `events` is null).
 */
export const StoreEventMessage = z.object({
  type: z.literal('store-event'),
  workspaceId: z.string(),
  connectionId: z.string(),
  topic: z.string(),
  dedupeKey: z.string(),
  receivedAt: z.number(),
  // Null for a topic we do not use: the consumer records it as ignored. The store-event
  // job reads them through StoreEvents: stores/ owns that schema, and queues/ stays below
  // the domain modules that enqueue.
  events: z.array(z.unknown()).nullable(),
  storedEventId: z.string().optional(),
  // A store's test notification: recorded as a test, applied to nothing.
  test: z.boolean().optional(),
});
export type StoreEventMessage = z.infer<typeof StoreEventMessage>;

/** The message applying a verified webhook (or, with `storedEventId`, the events the edge stored for it). */
export function storeEventMessage(webhook: Omit<StoreEventMessage, 'type'>): StoreEventMessage {
  return { type: 'store-event', ...webhook };
}

/** Resolve the next keyset page of a campaign's audience into deliveries. */
export const FanOutPageMessage = z.object({
  type: z.literal('fan-out-page'),
  workspaceId: z.string(),
  campaignId: z.string(),
  afterContactId: z.string().nullable(),
});
export type FanOutPageMessage = z.infer<typeof FanOutPageMessage>;

/** The message that pages a sending campaign's audience after `afterContactId` (null: from the start). */
export function fanOutPageMessage(campaign: { id: string; workspaceId: string }, afterContactId: string | null): FanOutPageMessage {
  return { type: 'fan-out-page', workspaceId: campaign.workspaceId, campaignId: campaign.id, afterContactId };
}

/**
 * One keyset page (by contact) of a campaign's deliveries that are still queued: `resume`
 * re-enqueues their sends, `cancel` marks them cancelled; each page enqueues the next.
 */
export const CampaignDeliveriesPageMessage = z.object({
  type: z.literal('campaign-deliveries-page'),
  workspaceId: z.string(),
  campaignId: z.string(),
  action: z.enum(['resume', 'cancel']),
  afterContactId: z.string().nullable(),
});
export type CampaignDeliveriesPageMessage = z.infer<typeof CampaignDeliveriesPageMessage>;

/** The message that walks the campaign's deliveries after `afterContactId` (null: from the first). */
export function campaignDeliveriesPageMessage(
  campaign: { id: string; workspaceId: string },
  action: CampaignDeliveriesPageMessage['action'],
  afterContactId: string | null,
): CampaignDeliveriesPageMessage {
  return { type: 'campaign-deliveries-page', workspaceId: campaign.workspaceId, campaignId: campaign.id, action, afterContactId };
}

/** Send one delivery (one email or SMS to one contact); the row was written before this message. */
export const SendDeliveryMessage = z.object({
  type: z.literal('send-delivery'),
  workspaceId: z.string(),
  deliveryId: z.string(),
  // The delivery's channel, so a batch paces each workspace's channel before it claims;
  // messages enqueued before channels existed were all email.
  channel: z.enum(CONSENT_CHANNELS).default('email'),
});
export type SendDeliveryMessage = z.infer<typeof SendDeliveryMessage>;

/** The message that sends the delivery row `deliveryId` on its channel. */
export function sendDeliveryMessage(workspaceId: string, delivery: { id: string; channel: ConsentChannel }): SendDeliveryMessage {
  return { type: 'send-delivery', workspaceId, deliveryId: delivery.id, channel: delivery.channel };
}

// Enrollments a flow-advance message runs: its reads and writes stay a few D1 round trips,
// and its id list (with the claim) stays under D1's 100 bound parameters.
export const FLOW_ENROLLMENTS_PER_MESSAGE = 50;

/**
 * Run the steps of flow enrollments the cron claimed (one workspace's, at most
 * `FLOW_ENROLLMENTS_PER_MESSAGE`). Only enrollments still held by this claim
 * (`claimedUntil`) are run, so a message that comes twice, or after its claim lapsed
 * and a later tick took the enrollments, runs nothing twice. `now` is the tick's clock.
 */
export const FlowAdvanceMessage = z.object({
  type: z.literal('flow-advance'),
  workspaceId: z.string(),
  enrollmentIds: z.array(z.string()).min(1).max(FLOW_ENROLLMENTS_PER_MESSAGE),
  claimedUntil: z.number(),
  now: z.number(),
});
export type FlowAdvanceMessage = z.infer<typeof FlowAdvanceMessage>;

/** The message that runs the claimed enrollments `enrollmentIds` of a workspace. */
export function flowAdvanceMessage(workspaceId: string, enrollmentIds: string[], claim: { claimedUntil: number; now: number }): FlowAdvanceMessage {
  return { type: 'flow-advance', workspaceId, enrollmentIds, ...claim };
}

/** Import one chunk of a contacts CSV. */
export const ImportChunkMessage = z.object({
  type: z.literal('import-chunk'),
  workspaceId: z.string(),
  importId: z.string(),
  chunkIndex: z.number().int().nonnegative(),
});
export type ImportChunkMessage = z.infer<typeof ImportChunkMessage>;

/** The message that imports chunk `chunkIndex` of an import. */
export function importChunkMessage(workspaceId: string, importId: string, chunkIndex: number): ImportChunkMessage {
  return { type: 'import-chunk', workspaceId, importId, chunkIndex };
}

/** Apply a bulk action to the next keyset page (by contact id) of its filter, after `afterContactId`. */
export const ContactBulkPageMessage = z.object({
  type: z.literal('contact-bulk-page'),
  workspaceId: z.string(),
  jobId: z.string(),
  afterContactId: z.string().nullable(),
});
export type ContactBulkPageMessage = z.infer<typeof ContactBulkPageMessage>;

/** The message that does the page of bulk job `jobId` after `afterContactId` (null: from the first contact). */
export function contactBulkPageMessage(workspaceId: string, jobId: string, afterContactId: string | null): ContactBulkPageMessage {
  return { type: 'contact-bulk-page', workspaceId, jobId, afterContactId };
}

/** The queue bindings of the Worker (wrangler.toml). */
export const QUEUE_BINDINGS = ['EVENTS_QUEUE', 'SENDS_QUEUE', 'IMPORTS_QUEUE'] as const;
export type QueueBinding = (typeof QUEUE_BINDINGS)[number];

/** A queue's heartbeat (sent by the cron to every queue): its consumer records `sentAt` as read. */
export const QueueHeartbeatMessage = z.object({
  type: z.literal('queue-heartbeat'),
  queue: z.enum(QUEUE_BINDINGS),
  sentAt: z.number(),
});
export type QueueHeartbeatMessage = z.infer<typeof QueueHeartbeatMessage>;

/** The heartbeat for `queue`, sent at `sentAt`. */
export function queueHeartbeatMessage(queue: QueueBinding, sentAt: number): QueueHeartbeatMessage {
  return { type: 'queue-heartbeat', queue, sentAt };
}

/** Any message on any of our queues. */
export const QueueMessage = z.discriminatedUnion('type', [
  StoreEventMessage,
  FanOutPageMessage,
  CampaignDeliveriesPageMessage,
  SendDeliveryMessage,
  FlowAdvanceMessage,
  ImportChunkMessage,
  ContactBulkPageMessage,
  QueueHeartbeatMessage,
]);
export type QueueMessage = z.infer<typeof QueueMessage>;
export type QueueMessageType = QueueMessage['type'];
