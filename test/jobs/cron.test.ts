import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { runCronTick } from '../../src/jobs/cron';
import { signUpMerchant } from '../helpers/factories';

describe('the cron tick', () => {
  it('purges expired sessions and finished login throttles, and keeps live ones', async () => {
    const live = await signUpMerchant();
    const expired = await signUpMerchant();
    const now = Date.now();
    await env.DB.prepare('UPDATE sessions SET expires_at = ? WHERE user_id = ?')
      .bind(now - 1000, expired.userId)
      .run();
    await env.DB.batch([
      env.DB.prepare('INSERT INTO login_throttles (key, failures, first_failure_at, blocked_until) VALUES (?, 9, ?, ?)').bind('email:old@x.example', now - 3_600_000, now - 3_000_000),
      env.DB.prepare('INSERT INTO login_throttles (key, failures, first_failure_at, blocked_until) VALUES (?, 9, ?, ?)').bind('email:recent@x.example', now - 1000, now + 60_000),
    ]);

    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: now, cron: '* * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);

    const sessions = await env.DB.prepare('SELECT user_id FROM sessions WHERE user_id IN (?, ?)').bind(live.userId, expired.userId).all<{ user_id: string }>();
    expect(sessions.results.map((row) => row.user_id)).toEqual([live.userId]);
    const throttles = await env.DB.prepare("SELECT key FROM login_throttles WHERE key LIKE 'email:%@x.example'").all<{ key: string }>();
    expect(throttles.results.map((row) => row.key)).toEqual(['email:recent@x.example']);
  });

  it('runs every task even when one fails', async () => {
    const ran: string[] = [];
    const results = await runCronTick(env, Date.now(), [
      {
        name: 'broken',
        run: async () => {
          throw new Error('boom');
        },
      },
      {
        name: 'fine',
        run: async () => {
          ran.push('fine');
          return 3;
        },
      },
    ]);
    expect(results).toEqual([
      { name: 'broken', ok: false, handled: 0 },
      { name: 'fine', ok: true, handled: 3 },
    ]);
    expect(ran).toEqual(['fine']);
  });
});

describe('refreshPlannerStats', () => {
  it('refreshes the planner statistics once an hour, on the hour', async () => {
    const { refreshPlannerStats } = await import('../../src/jobs/cron');
    const { openDb } = await import('../../src/db/client');
    const db = openDb(env.DB);
    expect(await refreshPlannerStats(db, Date.UTC(2026, 0, 1, 10, 17))).toBe(0);
    expect(await refreshPlannerStats(db, Date.UTC(2026, 0, 1, 11, 0))).toBe(1);
  });
});
