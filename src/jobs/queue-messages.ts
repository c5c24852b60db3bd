// Every message body on our queues: one zod discriminated union, checked on read.
// Messages carry ids, never rendered content, so they stay far below 128 KB and
// always reflect the current data when processed.
import { z } from 'zod';

/** A verified store webhook stored as an inbound event, to be applied to contacts, orders, carts. */
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

export const QueueMessage = z.discriminatedUnion('type', [StoreEventMessage, FanOutPageMessage, SendDeliveryMessage]);
export type QueueMessage = z.infer<typeof QueueMessage>;
export type QueueMessageType = QueueMessage['type'];
