// Attribution tests: messages with the touches a tracker flush leaves in D1, and order events.
import { env } from 'cloudflare:workers';
import type { OrderEvent } from '../../src/stores/store-events';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** Where a message goes: the workspace and the design it is sent with. */
export type Sender = { workspaceId: string; contentId: string };
/** A message's source and its first reader open and click, and first machine open (ms). */
export type Touch = { sourceType?: 'campaign' | 'flow'; sourceId?: string; openedAt?: number; clickedAt?: number; machineOpenedAt?: number };

let sequence = 0;

/** A message sent to the contact an hour before its first touch, with the touches as a tracker flush writes them (a click is also an open). */
export async function touchedDelivery(on: Sender, contactId: string, touch: Touch): Promise<string> {
  sequence += 1;
  const id = `delivery-${sequence}-${Date.now()}`;
  const times = [touch.openedAt, touch.clickedAt, touch.machineOpenedAt].filter((at): at is number => at !== undefined);
  const sentAt = Math.min(...times) - HOUR;
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO deliveries (id, workspace_id, contact_id, channel, source_type, source_id, step_key, occurrence_key, content_id, status, queued_at, sent_at, updated_at) VALUES (?, ?, ?, 'email', ?, ?, '', '', ?, 'sent', ?, ?, ?)",
    ).bind(id, on.workspaceId, contactId, touch.sourceType ?? 'campaign', touch.sourceId ?? `campaign-${sequence}`, on.contentId, sentAt, sentAt, sentAt),
    env.DB.prepare('INSERT INTO delivery_engagements (delivery_id, workspace_id, opened_at, clicked_at, machine_opened_at) VALUES (?, ?, ?, ?, ?)').bind(
      id,
      on.workspaceId,
      touch.openedAt ?? touch.clickedAt ?? null,
      touch.clickedAt ?? null,
      touch.machineOpenedAt ?? null,
    ),
  ]);
  return id;
}

/** An order event as the store adapters make it, paid unless told otherwise. */
export function orderEvent(order: Pick<OrderEvent, 'externalId' | 'placedAt' | 'totalCents'> & Partial<OrderEvent> & { email: string }): OrderEvent {
  const { email, ...fields } = order;
  return {
    kind: 'order',
    person: { email, phone: null, firstName: null, lastName: null, externalId: null, registered: false, country: null },
    status: 'paid',
    currency: 'USD',
    refunds: [],
    shippedAt: null,
    updatedAt: order.placedAt,
    cartExternalId: null,
    items: [],
    acceptsEmailMarketing: false,
    ...fields,
  };
}
