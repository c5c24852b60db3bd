// Is work moving? Each cron tick sends a heartbeat to every queue and its consumer writes
// back the send time it read; imports and bulk jobs record when a part was last done.
// /healthz reads both, so a consumer that stopped (store webhooks answered 202 but never
// applied), a cron that stopped, or an import or bulk job that stopped moving shows as
// degraded instead of "ok".
import { eq, sql } from 'drizzle-orm';
import { type Db, runBatch } from '../db/client';
import { queueHeartbeats } from '../db/schema';
import { countStalledWork } from '../db/system';
import { enqueue, type Queues } from '../queues/enqueue';
import { QUEUE_BINDINGS, type QueueBinding, type QueueHeartbeatMessage, queueHeartbeatMessage } from '../queues/messages';
import { MINUTE } from '../lib/time';
import { STALL_LIMIT } from './stalled-work';

/**
 * A queue is behind when the heartbeat it last consumed was sent this long before the last
 * one sent. Minutes, not seconds: a 100,000-message campaign legitimately keeps the sends
 * queue busy for a few minutes, and a heartbeat waits its turn behind it.
 */
export const QUEUE_LAG_LIMIT = 15 * MINUTE;
/** The cron runs every minute; this long without a tick means it stopped. */
export const CRON_SILENCE_LIMIT = 5 * MINUTE;

/** Records the tick and sends a heartbeat to every queue; returns how many were sent. */
export async function sendQueueHeartbeats(db: Db, queues: Queues, now: number): Promise<number> {
  // A new row starts as consumed at its first send, so a fresh deployment is not "behind".
  await runBatch(
    db,
    QUEUE_BINDINGS.map((queue) =>
      db
        .insert(queueHeartbeats)
        .values({ queue, sentAt: now, consumedSentAt: now })
        .onConflictDoUpdate({ target: queueHeartbeats.queue, set: { sentAt: now } }),
    ),
  );
  await enqueue(
    queues,
    QUEUE_BINDINGS.map((queue) => queueHeartbeatMessage(queue, now)),
  );
  return QUEUE_BINDINGS.length;
}

/** The `queue-heartbeat` job: the queue's consumer is alive and has read up to `sentAt`. */
export async function recordQueueHeartbeat(db: Db, message: QueueHeartbeatMessage, now = Date.now()): Promise<void> {
  await db
    .update(queueHeartbeats)
    .set({ consumedSentAt: sql`max(coalesce(${queueHeartbeats.consumedSentAt}, 0), ${message.sentAt})`, consumedAt: now })
    .where(eq(queueHeartbeats.queue, message.queue));
}

export type QueueState = { status: 'ok' | 'behind' | 'unknown'; lagMs: number | null };
export type WorkHealth = {
  ok: boolean;
  cron: { status: 'ok' | 'silent' | 'unknown'; lastTickAt: number | null };
  queues: Record<QueueBinding, QueueState>;
  imports: { stalled: number };
  bulkJobs: { stalled: number };
};

/** Whether the cron ticks, each queue's consumer keeps up, and imports and bulk jobs move. */
export async function readWorkHealth(db: Db, now: number): Promise<WorkHealth> {
  const [beats, importsStalled, bulkJobsStalled] = await Promise.all([
    db.select().from(queueHeartbeats),
    countStalledWork(db, 'imports', now - STALL_LIMIT),
    countStalledWork(db, 'bulkJobs', now - STALL_LIMIT),
  ]);
  const queues = Object.fromEntries(QUEUE_BINDINGS.map((queue) => [queue, { status: 'unknown', lagMs: null }])) as Record<QueueBinding, QueueState>;
  let lastTickAt: number | null = null;
  for (const beat of beats) {
    if (!(QUEUE_BINDINGS as readonly string[]).includes(beat.queue)) continue;
    const lagMs = beat.sentAt - (beat.consumedSentAt ?? 0);
    queues[beat.queue as QueueBinding] = { status: lagMs > QUEUE_LAG_LIMIT ? 'behind' : 'ok', lagMs };
    lastTickAt = Math.max(lastTickAt ?? 0, beat.sentAt);
  }
  const cronStatus = lastTickAt === null ? 'unknown' : now - lastTickAt > CRON_SILENCE_LIMIT ? 'silent' : 'ok';
  const ok = cronStatus !== 'silent' && Object.values(queues).every((queue) => queue.status !== 'behind') && importsStalled === 0 && bulkJobsStalled === 0;
  return { ok, cron: { status: cronStatus, lastTickAt }, queues, imports: { stalled: importsStalled }, bulkJobs: { stalled: bulkJobsStalled } };
}
