// The cron entry (every minute): runs each periodic task; one failing task does
// not stop the others, and each one logs what it did.
import { purgeLoginThrottles } from '../accounts/login-throttle';
import { purgeExpiredSessions } from '../accounts/sessions';
import { sql } from 'drizzle-orm';
import { openDb, type Db } from '../db/client';
import { purgeRateLimitCounters } from '../http/rate-limit';
import type { Env } from '../env';
import { finishSentCampaigns, requeueStalledFanOuts, startDueCampaigns } from '../campaigns/campaign-cron';
import { sweepStaleDeliveries } from '../deliveries/deliveries.service';
import { compactFinishedCampaigns } from '../deliveries/delivery-retention';
import { purgeOldInboundEvents, requeueStaleEvents } from '../stores/inbound-events';
import { queueDueEnrollments } from '../flows/flow-advance';
import { enrollFromTriggers } from '../flows/flow-enrollment';
import { redriveStalledImports } from '../contacts/contact-imports.service';
import { redriveStalledBulkJobs } from '../contacts/contact-bulk.service';
import { sendQueueHeartbeats } from '../health/queue-health';

/** A periodic task: returns how many things it handled, for the log. */
export type CronTask = { name: string; run: (db: Db, env: Env, now: number) => Promise<number> };

/** Everything that runs on each tick. */
export const cronTasks: CronTask[] = [
  { name: 'purge-expired-sessions', run: (db, _env, now) => purgeExpiredSessions(db, now) },
  { name: 'purge-login-throttles', run: (db, _env, now) => purgeLoginThrottles(db, now) },
  { name: 'purge-rate-limit-counters', run: (db, _env, now) => purgeRateLimitCounters(db, now) },
  { name: 'requeue-stale-store-events', run: (db, env, now) => requeueStaleEvents(db, env, now) },
  { name: 'purge-old-store-events', run: (db, _env, now) => purgeOldInboundEvents(db, now) },
  { name: 'start-due-campaigns', run: (db, env, now) => startDueCampaigns(db, env, now) },
  { name: 'requeue-stalled-fan-outs', run: (db, env, now) => requeueStalledFanOuts(db, env, now) },
  { name: 'finish-sent-campaigns', run: (db, _env, now) => finishSentCampaigns(db, now) },
  // Enrolling first: a trigger read this tick starts its flow's first step in the same tick.
  { name: 'enroll-flows', run: (db, _env, now) => enrollFromTriggers(db, now) },
  { name: 'advance-flows', run: (db, env, now) => queueDueEnrollments(db, env, now) },
  { name: 'sweep-stale-deliveries', run: (db, env, now) => sweepStaleDeliveries(db, env, now) },
  { name: 'redrive-stalled-imports', run: (db, env, now) => redriveStalledImports(db, env, now) },
  { name: 'redrive-stalled-bulk-jobs', run: (db, env, now) => redriveStalledBulkJobs(db, env, now) },
  { name: 'compact-old-campaigns', run: (db, env, now) => compactFinishedCampaigns(db, env, now) },
  { name: 'refresh-query-planner-stats', run: (db, _env, now) => refreshPlannerStats(db, now) },
  // Last: a heartbeat says the tick got this far, and each queue's consumer answers it.
  { name: 'send-queue-heartbeats', run: (db, env, now) => sendQueueHeartbeats(db, env, now) },
];

/**
 * Hourly, refreshes SQLite's table statistics. Without them the planner walks an
 * index of the workspace id plus a lookup per row even for broad segments, which is
 * ten times slower than a scan on a million contacts (scripts/bench/segments.bench.mjs).
 */
export async function refreshPlannerStats(db: Db, now: number): Promise<number> {
  if (new Date(now).getUTCMinutes() !== 0) return 0;
  // 0x10002: analyze every table that needs it, not only those this connection used.
  await db.run(sql`PRAGMA optimize=0x10002`);
  return 1;
}

/** Result of one task on one tick. */
export type CronTaskResult = { name: string; ok: boolean; handled: number };

/** Runs every task for the tick at `scheduledTime`. */
export async function runCronTick(env: Env, scheduledTime: number, tasks = cronTasks): Promise<CronTaskResult[]> {
  const db = openDb(env.DB);
  const results: CronTaskResult[] = [];
  for (const task of tasks) {
    try {
      results.push({ name: task.name, ok: true, handled: await task.run(db, env, scheduledTime) });
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', cronTask: task.name, error: String(err) }));
      results.push({ name: task.name, ok: false, handled: 0 });
    }
  }
  console.log(JSON.stringify({ level: 'info', cron: new Date(scheduledTime).toISOString(), results }));
  return results;
}
