// SendRateLimiter: one Durable Object per workspace that hands out send slots at the
// workspace's messages-per-second, so however many queue consumers run at once, a
// merchant's SMTP provider never sees more than the rate they set.
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';

/** Slots granted to a consumer: send number i at `startAt + i * intervalMs`; or wait and come back. */
export type SendSlots = { granted: true; count: number; startAt: number; intervalMs: number } | { granted: false; retryAfterMs: number };

// Beyond this a consumer should not sleep: it re-enqueues the message with a delay instead.
export const MAX_SLOT_WAIT_MS = 20_000;

/** Pure: grants `count` slots after `nextFreeAt` at `perSecond`, unless the first is too far away. */
export function grantSlots(nextFreeAt: number, count: number, perSecond: number, now: number): { slots: SendSlots; nextFreeAt: number } {
  const intervalMs = 1000 / perSecond;
  const startAt = Math.max(now, nextFreeAt);
  if (startAt - now > MAX_SLOT_WAIT_MS) return { slots: { granted: false, retryAfterMs: startAt - now }, nextFreeAt };
  return { slots: { granted: true, count, startAt, intervalMs }, nextFreeAt: startAt + count * intervalMs };
}

export class SendRateLimiter extends DurableObject<Env> {
  // In memory: if the object restarts, the worst case is one burst of a few slots.
  private nextFreeAt = 0;

  /** Reserves `count` send slots at `perSecond`. */
  reserve(count: number, perSecond: number): SendSlots {
    const { slots, nextFreeAt } = grantSlots(this.nextFreeAt, count, perSecond, Date.now());
    this.nextFreeAt = nextFreeAt;
    return slots;
  }
}
