// SendRateLimiter: one Durable Object per workspace that hands out send slots at the
// workspace's messages-per-second, so however many queue consumers run at once, a
// merchant's SMTP provider never sees more than the rate they set.
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';

/**
 * Slots granted to a consumer: its first `granted` messages go at `startAt + i * intervalMs`;
 * the others should come back (through the queue) after `retryAfterMs`.
 */
export type SendSlots = { granted: number; startAt: number; intervalMs: number; retryAfterMs: number };

// Beyond this a consumer should not hold a message: it re-enqueues it with a delay instead.
export const MAX_SLOT_WAIT_MS = 20_000;

/** Pure: grants up to `count` slots after `nextFreeAt` at `perSecond`, as many as start within MAX_SLOT_WAIT_MS. */
export function grantSlots(nextFreeAt: number, count: number, perSecond: number, now: number): { slots: SendSlots; nextFreeAt: number } {
  const intervalMs = 1000 / perSecond;
  const startAt = Math.max(now, nextFreeAt);
  const fit = Math.max(0, Math.floor((now + MAX_SLOT_WAIT_MS - startAt) / intervalMs) + 1);
  const granted = Math.min(count, fit);
  const next = startAt + granted * intervalMs;
  return { slots: { granted, startAt, intervalMs, retryAfterMs: next - now }, nextFreeAt: next };
}

const NEXT_FREE_AT = 'nextFreeAt';

export class SendRateLimiter extends DurableObject<Env> {
  // Stored, not only in memory: slots are granted up to MAX_SLOT_WAIT_MS ahead, and an object
  // evicted while consumers still wait on them (idle while the rest of a send is delayed on
  // the queue) would grant the same seconds again, doubling the rate
  // (scripts/bench/sms.bench.mjs measured 2x bursts of a Messaging Service's 10 texts a second).
  private nextFreeAt: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.nextFreeAt = ctx.storage.kv.get<number>(NEXT_FREE_AT) ?? 0;
  }

  /** Reserves up to `count` send slots at `perSecond`. */
  reserve(count: number, perSecond: number): SendSlots {
    const { slots, nextFreeAt } = grantSlots(this.nextFreeAt, count, perSecond, Date.now());
    this.nextFreeAt = nextFreeAt;
    this.ctx.storage.kv.put(NEXT_FREE_AT, nextFreeAt);
    return slots;
  }
}
