// The delivery lifecycle as data: every status change goes through `canMoveDelivery`.
import type { DeliveryStatus } from '../db/schema';

/**
 * Allowed next statuses. The send job claims a delivery (queued → sending) before it
 * checks consent, so skipping happens from `sending`; `sending` returns to `queued`
 * when a send failed and will be retried.
 */
export const DELIVERY_TRANSITIONS: Record<DeliveryStatus, readonly DeliveryStatus[]> = {
  queued: ['sending', 'failed'],
  sending: ['sent', 'skipped', 'queued', 'failed'],
  sent: [],
  skipped: [],
  failed: [],
};

/** True when a delivery may move from one status to the other. */
export function canMoveDelivery(from: DeliveryStatus, to: DeliveryStatus): boolean {
  return DELIVERY_TRANSITIONS[from].includes(to);
}
