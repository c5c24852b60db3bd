// Pacing sends to a workspace's messages-per-second: a consumer reserves slots for a
// batch's messages from the workspace's SendRateLimiter, then waits for each slot.
import type { Env } from '../env';
import type { SendSlots } from './send-rate-limiter';

/** Slots for `count` messages of a workspace (all at once when it has no limit). */
export async function reserveSendSlots(env: Pick<Env, 'SEND_RATE_LIMITER'>, workspaceId: string, count: number, perSecond: number | null): Promise<SendSlots> {
  if (!perSecond) return { granted: count, startAt: Date.now(), intervalMs: 0, retryAfterMs: 0 };
  return env.SEND_RATE_LIMITER.get(env.SEND_RATE_LIMITER.idFromName(workspaceId)).reserve(count, perSecond);
}

/** Waits for slot `index` of a reservation. */
export async function waitForSlot(slots: SendSlots, index: number): Promise<void> {
  const wait = slots.startAt + index * slots.intervalMs - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
