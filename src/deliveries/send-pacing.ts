// Pacing sends to a workspace's messages-per-second on a channel: a consumer reserves
// slots for a batch's messages from that sender's SendRateLimiter, then waits for each.
import type { ConsentChannel } from '../db/schema';
import type { Env } from '../env';
import type { SendSlots } from './send-rate-limiter';

/** The rate limiter of a workspace's sender on a channel (each channel has its own provider and limit). */
export function sendRateLimiterName(workspaceId: string, channel: ConsentChannel): string {
  return `${workspaceId}:${channel}`;
}

/** Slots for `count` messages of a workspace on a channel (all at once when it has no limit). */
export async function reserveSendSlots(env: Pick<Env, 'SEND_RATE_LIMITER'>, workspaceId: string, channel: ConsentChannel, count: number, perSecond: number | null): Promise<SendSlots> {
  if (!perSecond) return { granted: count, startAt: Date.now(), intervalMs: 0, retryAfterMs: 0 };
  return env.SEND_RATE_LIMITER.get(env.SEND_RATE_LIMITER.idFromName(sendRateLimiterName(workspaceId, channel))).reserve(count, perSecond);
}

/** When slot `index` of a reservation starts. */
export function slotStartsAt(slots: SendSlots, index: number): number {
  return slots.startAt + index * slots.intervalMs;
}

/** Waits for slot `index` of a reservation. */
export async function waitForSlot(slots: SendSlots, index: number): Promise<void> {
  const wait = slotStartsAt(slots, index) - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
