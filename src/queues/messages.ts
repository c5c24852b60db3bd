// Every message body on our queues: one zod discriminated union, checked on read.
// Messages carry ids and facts, never rendered content, so they stay below 128 KB
// and sends always reflect the current data when processed.
import { z } from 'zod';
import { chunk } from '../lib/chunk';
import { StoreEvents } from '../stores/store-events';

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
  // Null for a topic we do not use: the consumer records it as ignored.
  events: StoreEvents.nullable(),
  storedEventId: z.string().optional(),
});

/** Resolve the next keyset page of a campaign's audience into deliveries. */
export const FanOutPageMessage = z.object({
  type: z.literal('fan-out-page'),
  workspaceId: z.string(),
  campaignId: z.string(),
  afterContactId: z.string().nullable(),
});

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

/** Send one delivery (one email or SMS to one contact); the row was written before this message. */
export const SendDeliveryMessage = z.object({
  type: z.literal('send-delivery'),
  workspaceId: z.string(),
  deliveryId: z.string(),
});

/** Import one chunk of a contacts CSV. */
export const ImportChunkMessage = z.object({
  type: z.literal('import-chunk'),
  workspaceId: z.string(),
  importId: z.string(),
  chunkIndex: z.number().int().nonnegative(),
});

export const QueueMessage = z.discriminatedUnion('type', [StoreEventMessage, FanOutPageMessage, CampaignDeliveriesPageMessage, SendDeliveryMessage, ImportChunkMessage]);
export type QueueMessage = z.infer<typeof QueueMessage>;
export type QueueMessageType = QueueMessage['type'];

// Queues take at most 100 messages per sendBatch call.
const MESSAGES_PER_SEND_BATCH = 100;

/** Enqueues any number of messages, 100 per `sendBatch` call, each with the same options (e.g. a delay). */
export async function enqueueAll(queue: Queue<QueueMessage>, bodies: QueueMessage[], options: QueueSendOptions = {}): Promise<void> {
  for (const slice of chunk(bodies, MESSAGES_PER_SEND_BATCH)) await queue.sendBatch(slice.map((body) => ({ body, ...options })));
}
