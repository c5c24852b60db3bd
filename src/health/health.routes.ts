// GET /healthz: readiness for uptime checks: a D1 round trip, and whether work moves (the
// cron ticks, every queue's consumer keeps up, imports and bulk jobs progress; see queue-health.ts);
// 503 when any of them does not. GET /healthz/live: liveness only (the Worker answers),
// which also serves as the benchmarks' baseline.
import { Hono } from 'hono';
import { openDb } from '../db/client';
import type { AppEnv } from '../env';
import { readWorkHealth } from './queue-health';

export const healthRoutes = new Hono<AppEnv>()
  .get('/live', (c) => c.text('ok'))
  .get('/', async (c) => {
    const started = Date.now();
    try {
      await c.env.DB.prepare('SELECT 1').first();
      const d1 = { status: 'ok', latencyMs: Date.now() - started };
      const work = await readWorkHealth(openDb(c.env.DB), Date.now());
      const checks = { d1, cron: work.cron, queues: work.queues, imports: work.imports, bulkJobs: work.bulkJobs };
      return c.json({ status: work.ok ? 'ok' : 'degraded', checks }, work.ok ? 200 : 503);
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', check: 'd1', error: String(err) }));
      return c.json({ status: 'degraded', checks: { d1: { status: 'failing' } } }, 503);
    }
  });
