// Pacing sends to a workspace's messages-per-second: a consumer takes slots from the
// workspace's SendRateLimiter a second's worth at a time and waits for each one.
import type { Env } from '../env';
import type { SendSlots } from './send-rate-limiter';

/** What to do with the next message: send it now, or put it back on the queue for `deferMs`. */
export type PaceDecision = { send: true } | { send: false; deferMs: number };

export type SendPacer = { next(): Promise<PaceDecision> };

const NO_LIMIT: SendPacer = { next: async () => ({ send: true }) };

/** A pacer for one batch's messages of one workspace (no limit when `perSecond` is null). */
export function createSendPacer(env: Pick<Env, 'SEND_RATE_LIMITER'>, workspaceId: string, perSecond: number | null): SendPacer {
  if (!perSecond) return NO_LIMIT;
  const limiter = env.SEND_RATE_LIMITER.get(env.SEND_RATE_LIMITER.idFromName(workspaceId));
  // Up to a second's worth per reservation: few round trips, and few slots wasted if the batch ends.
  const perReservation = Math.max(1, Math.min(50, Math.floor(perSecond)));
  const slots: number[] = [];
  return {
    async next() {
      if (!slots.length) {
        const granted: SendSlots = await limiter.reserve(perReservation, perSecond);
        if (!granted.granted) return { send: false, deferMs: granted.retryAfterMs };
        for (let i = 0; i < granted.count; i += 1) slots.push(granted.startAt + i * granted.intervalMs);
      }
      const wait = slots.shift()! - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      return { send: true };
    },
  };
}
