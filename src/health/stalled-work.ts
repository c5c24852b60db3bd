// Work done one part per queue message (CSV imports, bulk actions on contacts) records
// when a part was last done. If a message is lost (enqueueing the next part failed, or
// the broker dropped it), the work stays unfinished and unmoving: the cron finds it by
// that mark and enqueues its outstanding parts again. Each kind's part job is idempotent
// (a part counts once), so a late original message or a duplicate changes nothing.
import { claimStalledWork, type ProgressTracked } from '../db/system';
import type { Db } from '../db/client';
import { forWorkspace, type Tenant } from '../db/tenant';
import { enqueue, type Queues } from '../queues/enqueue';
import type { QueueMessage } from '../queues/messages';
import { MINUTE } from '../lib/time';

/** Unfinished work whose last part was done this long ago stopped moving: /healthz says so and the cron re-drives it. */
export const STALL_LIMIT = 10 * MINUTE;

/**
 * Claims up to `perTick` stalled pieces of `work` (oldest first; each then waits another
 * STALL_LIMIT before its next re-drive) and enqueues the messages `outstanding` names for
 * each, read within its workspace. One piece that cannot be re-driven is logged and left
 * for the next re-drive; the others still are.
 */
export async function redriveStalledWork(
  db: Db,
  queues: Queues,
  work: ProgressTracked,
  now: number,
  perTick: number,
  outstanding: (tenant: Tenant, id: string) => Promise<QueueMessage[]>,
): Promise<number> {
  const stalled = await claimStalledWork(db, work, now - STALL_LIMIT, perTick, now);
  for (const { id, workspaceId } of stalled) {
    try {
      const messages = await outstanding(forWorkspace(db, workspaceId), id);
      console.log(JSON.stringify({ level: 'warn', redriven: work, id, workspaceId, messages: messages.length }));
      await enqueue(queues, messages);
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', redriven: work, id, workspaceId, error: String(err) }));
    }
  }
  return stalled.length;
}
