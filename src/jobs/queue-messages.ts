// Every message body on our queues: one zod discriminated union, checked on read.
// Messages carry ids, never rendered content, so they stay far below 128 KB and
// always reflect the current data when processed.
import { z } from 'zod';

/** A verified store webhook, stored as an inbound event, to apply to contacts, orders, carts and products. */
export const StoreEventMessage = z.object({
  type: z.literal('store-event'),
  workspaceId: z.string(),
  eventId: z.string(),
});

/** Resolve the next keyset page of a campaign's audience into deliveries. */
export const FanOutPageMessage = z.object({
  type: z.literal('fan-out-page'),
  workspaceId: z.string(),
  campaignId: z.string(),
  afterContactId: z.string().nullable(),
});

/** Send one delivery (one email or SMS to one contact). */
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

export const QueueMessage = z.discriminatedUnion('type', [StoreEventMessage, FanOutPageMessage, SendDeliveryMessage, ImportChunkMessage]);
export type QueueMessage = z.infer<typeof QueueMessage>;
export type QueueMessageType = QueueMessage['type'];
