// The delivery lifecycle as data: every status change goes through `canMoveDelivery`.
import type { DeliveryStatus } from '../db/schema';

/**
 * Allowed next statuses. The send job claims a delivery (queued → sending) before it
 * checks consent, so skipping happens from `sending`; `sending` returns to `queued`
 * when a send failed and will be retried. `unknown` is final: the server had the whole
 * message and never answered, and a resend could duplicate it. A queued delivery of a
 * cancelled campaign becomes `cancelled`. A `sent` SMS becomes `failed` when the carrier
 * reports it undelivered (Twilio's status callback, src/sms/sms-status.service.ts).
 */
export const DELIVERY_TRANSITIONS: Record<DeliveryStatus, readonly DeliveryStatus[]> = {
  queued: ['sending', 'failed', 'cancelled'],
  sending: ['sent', 'skipped', 'queued', 'failed', 'unknown'],
  sent: ['failed'],
  skipped: [],
  failed: [],
  unknown: [],
  cancelled: [],
};

/** True when a delivery may move from one status to the other. */
export function canMoveDelivery(from: DeliveryStatus, to: DeliveryStatus): boolean {
  return DELIVERY_TRANSITIONS[from].includes(to);
}
